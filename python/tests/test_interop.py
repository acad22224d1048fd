"""A model saved from Python is a sparkprop model directory: its model.safetensors, read by the
README's numpy-only snippet, by the safetensors package and into a PyTorch nn.Module by the
README's snippet, gives Spark's predictions to 1e-9."""

import json
import os
import re

import numpy as np
import pytest
from pyspark.ml.feature import VectorAssembler

from sparkprop.ml import SparkpropClassifier, SparkpropRegressor

from conftest import CONCRETE, PIXELS, ROOT, column

# Every test here makes JVM objects (classic) or talks to the server (Connect).
pytestmark = pytest.mark.usefixtures("spark")

TOLERANCE = 1e-9


def readme_snippet(heading: str) -> str:
    """The first ```python block after the README heading `heading`."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index(heading)
    return re.search(r"```python\n(.*?)```", readme[start:], re.DOTALL).group(1)


@pytest.fixture(scope="module")
def numpy_reader():
    namespace = {}
    exec(readme_snippet("### Reading a model in Python with numpy only"), namespace)
    return namespace


@pytest.fixture(scope="module")
def classifier(digits, tmp_path_factory):
    """(model directory, features [rows, 64], Spark's probabilities [rows, 10])."""
    data = VectorAssembler(inputCols=PIXELS, outputCol="features").transform(digits)
    model = SparkpropClassifier(hiddenLayers=[24, 12], hiddenActivation="relu", solver="adam",
                                stepSize=0.01, batchSize=0, maxIter=30, seed=5).fit(data)
    path = tmp_path_factory.mktemp("interop") / "digits"
    model.save(str(path))
    scored = model.transform(data)
    return path, column(scored, "features"), column(scored, "probability")


@pytest.fixture(scope="module")
def regressor(spark, tmp_path_factory):
    """(model directory, features [rows, 8], Spark's predictions [rows])."""
    concrete = spark.read.csv(str(CONCRETE), header=True, inferSchema=True)
    features = [c for c in concrete.columns if c != "compressive_strength"]
    data = VectorAssembler(inputCols=features, outputCol="features").transform(concrete)
    model = SparkpropRegressor(labelCol="compressive_strength", hiddenLayers=[16],
                               hiddenActivation="sigmoid", solver="lbfgs", maxIter=40,
                               seed=5).fit(data)
    path = tmp_path_factory.mktemp("interop") / "concrete"
    model.save(str(path))
    scored = model.transform(data)
    return path, column(scored, "features"), column(scored, "prediction")


def test_numpy_alone_gives_sparks_probabilities(classifier, numpy_reader):
    path, x, spark_probabilities = classifier
    probabilities = numpy_reader["predict"](str(path), x)
    assert probabilities.shape == spark_probabilities.shape == (x.shape[0], 10)
    assert np.max(np.abs(probabilities - spark_probabilities)) <= TOLERANCE


def test_numpy_alone_gives_sparks_regression_in_label_units(regressor, numpy_reader):
    path, x, spark_predictions = regressor
    tensors, meta = numpy_reader["load"](str(path))
    assert "scaling.label_mean" in tensors   # standardizeLabel's default, undone on output
    predictions = numpy_reader["predict"](str(path), x)[:, 0]
    # Relative to the prediction (tens of MPa), as 1e-9 is for the probabilities.
    error = np.abs(predictions - spark_predictions) / np.maximum(1.0, np.abs(spark_predictions))
    assert np.max(error) <= TOLERANCE


def test_safetensors_package_reads_the_same_tensors(classifier, numpy_reader):
    from safetensors import safe_open
    from safetensors.numpy import load_file

    path, x, spark_probabilities = classifier
    tensors = load_file(str(path / "model.safetensors"))
    by_numpy, meta = numpy_reader["load"](str(path))
    assert sorted(tensors) == sorted(by_numpy)
    for name in tensors:
        assert tensors[name].dtype == np.float64
        assert np.array_equal(tensors[name], by_numpy[name]), name
    with safe_open(str(path / "model.safetensors"), framework="numpy") as f:
        assert f.metadata() == {"format": "sparkprop", "format_version": "1"}
    # The forward pass of README "Model format" on the package's tensors.
    h = (x - tensors["scaling.feature_mean"]) / tensors["scaling.feature_std"]
    for i, act in enumerate(meta["activations"]):
        h = numpy_reader["ACT"][act](h @ tensors[f"layers.{i}.weight"].T
                                     + tensors[f"layers.{i}.bias"])
    assert np.max(np.abs(h - spark_probabilities)) <= TOLERANCE


@pytest.mark.only("classic", reason="weights() is not on Connect's allow-list")
def test_weights_are_the_saved_tensors(digits, tmp_path):
    """model.weights holds exactly the values of the saved layers (in the flat layout), and
    model.layers the saved layer sizes."""
    from safetensors.numpy import load_file

    data = VectorAssembler(inputCols=PIXELS, outputCol="features").transform(digits)
    model = SparkpropClassifier(hiddenLayers=[5], maxIter=2).fit(data)
    model.save(str(tmp_path / "m"))
    tensors = load_file(str(tmp_path / "m" / "model.safetensors"))
    meta = json.loads((tmp_path / "m" / "metadata.json").read_text())
    assert model.layers == meta["layers"] == [64, 5, 10]
    weights = model.weights.toArray()
    layers = [v.ravel() for k, v in tensors.items() if k.startswith("layers.")]
    assert weights.size == meta["num_params"] == sum(v.size for v in layers)
    assert np.array_equal(np.sort(weights), np.sort(np.concatenate(layers)))


def test_pytorch_loads_the_state_dict(classifier, tmp_path, monkeypatch):
    if os.environ.get("SPARKPROP_REQUIRE_TORCH") == "1":
        import torch  # CI installs it: a missing torch fails there instead of skipping
    else:
        torch = pytest.importorskip("torch")
    path, x, spark_probabilities = classifier
    # The README's snippet reads "iris-model/"; run it as written from a folder where that
    # name is this model.
    (tmp_path / "iris-model").symlink_to(path)
    monkeypatch.chdir(tmp_path)
    namespace = {}
    exec(readme_snippet("### Loading into PyTorch"), namespace)
    net, tensors = namespace["net"], namespace["tensors"]
    assert isinstance(net, torch.nn.Module)
    h = (torch.from_numpy(x) - tensors["scaling.feature_mean"]) / tensors["scaling.feature_std"]
    with torch.no_grad():
        probabilities = net(h).numpy()
    assert np.max(np.abs(probabilities - spark_probabilities)) <= TOLERANCE
