"""Mistakes reach Python as pyspark exceptions that name the column."""

import pytest
from pyspark.errors import PySparkException
from pyspark.ml.feature import VectorAssembler

from sparkprop.ml import SparkpropClassifier, SparkpropRegressor

from conftest import PIXELS

# Every test here makes JVM objects (classic) or talks to the server (Connect).
pytestmark = pytest.mark.usefixtures("spark")


@pytest.fixture(scope="module")
def data(digits):
    return VectorAssembler(inputCols=PIXELS, outputCol="features").transform(digits)


@pytest.mark.parametrize("params, missing", [
    (dict(featuresCol="pixels"), "pixels"),
    (dict(labelCol="digit"), "digit"),
])
def test_missing_column_names_it(data, params, missing):
    with pytest.raises(PySparkException) as error:
        SparkpropClassifier(maxIter=1, **params).fit(data)
    assert missing in str(error.value)


def test_missing_column_at_transform_names_it(data):
    model = SparkpropClassifier(maxIter=1, hiddenLayers=[4]).fit(data)
    with pytest.raises(PySparkException) as error:
        model.transform(data.drop("features")).collect()
    assert "features" in str(error.value)


def test_wrong_column_type_names_it(data):
    with pytest.raises(PySparkException) as error:
        SparkpropRegressor(featuresCol="p0", maxIter=1).fit(data)
    assert "p0" in str(error.value)


def test_invalid_param_value_names_it(data):
    with pytest.raises(PySparkException) as error:
        SparkpropClassifier(solver="adamw", maxIter=1).fit(data)
    assert "adamw" in str(error.value)
