"""Digits through a PySpark Pipeline against the command line on the same rows.

The CLI trains with conf/digits.conf's settings on train.parquet (the whole file: test-fraction
0) and `scripts/sparkprop evaluate` scores test.parquet; the Pipeline fits the same rows with the
same Params in this process (classic or over Connect).
"""

import re

import numpy as np
import pytest

from conftest import DIGITS_SETTINGS, accuracy, digits_pipeline, run_cli


@pytest.fixture(scope="module")
def cli_digits(digits_split, tmp_path_factory):
    """(model directory, test accuracy) of the CLI on the split."""
    train, test = digits_split
    out = tmp_path_factory.mktemp("cli") / "digits"
    run_cli("train", "--conf", "conf/digits.conf", f"input={train}", "test-fraction=0.0",
            f"output={out}")
    report = run_cli("evaluate", "--model", str(out), "--input", test)
    match = re.search(r"^accuracy\s+([0-9.]+)$", report, re.MULTILINE)
    assert match, f"no accuracy line in `sparkprop evaluate`'s output:\n{report}"
    return out, float(match.group(1))


@pytest.fixture(scope="module")
def python_digits(spark, digits_split):
    """(fitted PipelineModel, test DataFrame)."""
    train, test = digits_split
    model = digits_pipeline(**DIGITS_SETTINGS).fit(spark.read.parquet(train))
    return model, spark.read.parquet(test)


def test_pipeline_reaches_the_cli_accuracy(cli_digits, python_digits):
    _, cli_accuracy = cli_digits
    model, test = python_digits
    python_accuracy = accuracy(model.transform(test))
    print(f"digits test accuracy: Pipeline {python_accuracy:.6f}, CLI {cli_accuracy:.6f} "
          f"({test.count()} test rows)")
    # The CLI prints six decimals: compare at its precision.
    assert round(python_accuracy, 6) >= cli_accuracy
    assert python_accuracy >= 0.95   # the README's 0.98 less a margin for another split


def test_python_and_cli_fit_the_same_network(cli_digits, python_digits, tmp_path):
    """Same data, Params and seed: the same tensors, to 1e-12 (both paths call the library's
    one fit; an absolute bound, the weights being of order 1)."""
    from safetensors.numpy import load_file

    cli_dir, _ = cli_digits
    model, _ = python_digits
    model.stages[-1].save(str(tmp_path / "python"))
    cli = load_file(str(cli_dir / "model.safetensors"))
    python = load_file(str(tmp_path / "python" / "model.safetensors"))
    assert sorted(python) == sorted(cli)
    worst = max(float(np.max(np.abs(python[k] - cli[k]))) for k in cli)
    print(f"largest |python - cli| over {sum(v.size for v in cli.values())} values: {worst:.3g}")
    assert worst <= 1e-12
