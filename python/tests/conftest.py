"""One SparkSession for the whole run, classic or Spark Connect (`--spark-mode`).

pyspark decides per process whether ML calls go over Connect (an environment variable set when
the first Connect session starts), so the two modes are two pytest runs:

    python -m pytest python/tests                        # classic PySpark, local[2]
    python -m pytest python/tests --spark-mode=connect   # pyspark's local Connect server

Both need the application jar (sparkprop.jar_path()) and the data in the repository.
"""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DIGITS = ROOT / "src" / "data" / "digits.parquet"
CONCRETE = ROOT / "src" / "data" / "concrete.csv"
LAUNCHER = ROOT / "scripts" / "sparkprop"


def pytest_addoption(parser):
    parser.addoption("--spark-mode", choices=["classic", "connect"], default="classic",
                     help="classic: a local[2] SparkSession through py4j; connect: the same "
                          "code over pyspark's local Spark Connect server (remote local[2])")


def pytest_report_header(config):
    return f"spark mode: {config.getoption('--spark-mode')}"


def pytest_collection_modifyitems(config, items):
    mode = config.getoption("--spark-mode")
    for item in items:
        for marker in item.iter_markers(name="only"):
            if marker.args[0] != mode:
                item.add_marker(pytest.mark.skip(
                    reason=f"{marker.kwargs.get('reason', 'mode-specific')} "
                           f"(runs with --spark-mode={marker.args[0]})"))


def pytest_configure(config):
    config.addinivalue_line("markers", "only(mode, reason=...): run only in that spark mode")


@pytest.fixture(scope="session")
def mode(request) -> str:
    return request.config.getoption("--spark-mode")


@pytest.fixture(scope="session")
def spark(mode):
    import sparkprop
    from pyspark.sql import SparkSession

    # One BLAS thread per Spark task, as scripts/sparkprop sets it (the JVM inherits it).
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    builder = (SparkSession.builder
               .appName("sparkprop-python-tests")
               .config("spark.jars", sparkprop.jar_path())
               .config("spark.sql.shuffle.partitions", "2")
               .config("spark.default.parallelism", "2")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.driver.memory", "2g"))
    builder = builder.remote("local[2]") if mode == "connect" else builder.master("local[2]")
    session = builder.getOrCreate()
    yield session
    session.stop()


@pytest.fixture(scope="session")
def digits(spark):
    """The shipped digits (1797 rows: p0..p63, label 0..9)."""
    return spark.read.parquet(str(DIGITS))


@pytest.fixture(scope="session")
def digits_split(spark, digits, tmp_path_factory):
    """An 80/20 split of digits written to Parquet, so that the CLI and Python read the very
    same rows: (train path, test path)."""
    folder = tmp_path_factory.mktemp("digits-split")
    train, test = digits.randomSplit([0.8, 0.2], seed=7)
    train_path, test_path = str(folder / "train.parquet"), str(folder / "test.parquet")
    train.coalesce(1).write.parquet(train_path)
    test.coalesce(1).write.parquet(test_path)
    return train_path, test_path


def run_cli(*args: str) -> str:
    """Runs `scripts/sparkprop ARGS` on local[2] from the repository root and returns its
    stdout; a non-zero exit fails the test with the CLI's stderr."""
    env = dict(os.environ)
    for key in [k for k in env if k.startswith(("SPARK_CONNECT", "SPARK_REMOTE", "PYSPARK"))]:
        del env[key]
    result = subprocess.run([str(LAUNCHER), *args, "--master", "local[2]"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        pytest.fail(f"scripts/sparkprop {' '.join(args)} exited {result.returncode}:\n"
                    f"{result.stderr[-4000:]}")
    return result.stdout


PIXELS = [f"p{i}" for i in range(64)]

# conf/digits.conf's network and optimizer (hidden [64] tanh, adam 0.03, full batch, 200
# epochs, seed 42), as Params.
DIGITS_SETTINGS = dict(hiddenLayers=[64], hiddenActivation="tanh", solver="adam",
                       stepSize=0.03, batchSize=0, maxIter=200, seed=42)


def digits_pipeline(**classifier_params):
    """Pipeline(StringIndexer, VectorAssembler, SparkpropClassifier) on digits. The indexer
    orders the labels alphabetically, so that class i is digit i as in the CLI (whose integer
    labels are their own class indices); its default, by frequency, would permute them."""
    from pyspark.ml import Pipeline
    from pyspark.ml.feature import StringIndexer, VectorAssembler
    from sparkprop.ml import SparkpropClassifier

    return Pipeline(stages=[
        StringIndexer(inputCol="label", outputCol="class", stringOrderType="alphabetAsc"),
        VectorAssembler(inputCols=PIXELS, outputCol="features"),
        SparkpropClassifier(labelCol="class", **classifier_params),
    ])


def accuracy(predictions, label="class") -> float:
    from pyspark.ml.evaluation import MulticlassClassificationEvaluator

    return MulticlassClassificationEvaluator(labelCol=label, metricName="accuracy") \
        .evaluate(predictions)


def column(df, name):
    """A column of a small DataFrame as a numpy array (vectors as rows of a matrix), in the
    DataFrame's row order."""
    import numpy as np

    values = [row[0] for row in df.select(name).collect()]
    if values and hasattr(values[0], "toArray"):
        return np.stack([v.toArray() for v in values])
    return np.asarray(values, dtype=float)
