"""The model methods a user calls on one vector, in both modes (on Connect's allow-list)."""

import numpy as np
import pytest
from pyspark.ml.feature import VectorAssembler
from pyspark.ml.linalg import DenseVector

from sparkprop.ml import SparkpropClassifier

from conftest import PIXELS, column

# Every test here makes JVM objects (classic) or talks to the server (Connect).
pytestmark = pytest.mark.usefixtures("spark")


@pytest.fixture(scope="module")
def scored(digits):
    data = VectorAssembler(inputCols=PIXELS, outputCol="features").transform(digits)
    model = SparkpropClassifier(hiddenLayers=[8], solver="adam", stepSize=0.03, batchSize=0,
                                maxIter=10).fit(data)
    return model, model.transform(data.limit(5))


def test_single_vector_methods_agree_with_transform(scored):
    model, table = scored
    assert model.numClasses == 10 and model.numFeatures == 64
    features = column(table, "features")
    raw, probability = column(table, "rawPrediction"), column(table, "probability")
    prediction = column(table, "prediction")
    for i in range(features.shape[0]):
        x = DenseVector(features[i])
        assert np.array_equal(model.predictRaw(x).toArray(), raw[i])
        assert np.array_equal(model.predictProbability(x).toArray(), probability[i])
        assert model.predict(x) == prediction[i]


@pytest.mark.only("connect", reason="the Connect server's allow-list of model methods")
def test_weights_and_layers_are_refused_over_connect(scored):
    """Connect's server calls only allow-listed model methods (MLUtils.ALLOWED_ATTRIBUTES);
    weights is on it for MLlib's MLPC alone, layers for none. If this starts to pass, Spark has widened the
    list: update the README's Connect limits."""
    from pyspark.errors import PySparkException

    model, _ = scored
    for attribute in ["weights", "layers"]:
        with pytest.raises(PySparkException) as error:
            getattr(model, attribute)
        print(f"{type(error.value).__name__}: {error.value}")
        assert f"{attribute} in dev.sparkprop.ml.SparkpropClassificationModel is not allowed" \
            in str(error.value)
        assert "CONNECT_ML.ATTRIBUTE_NOT_ALLOWED" in str(error.value)


@pytest.mark.only("classic", reason="over Connect see the next test")
def test_network_without_hidden_layer(digits):
    data = VectorAssembler(inputCols=PIXELS, outputCol="features").transform(digits)
    model = SparkpropClassifier(hiddenLayers=[], maxIter=2).fit(data)
    assert model.layers == [64, 10]


@pytest.mark.only("connect", reason="a limit of pyspark's Connect client")
def test_empty_hidden_layers_cannot_be_sent_over_connect(digits):
    """pyspark's Connect client sends each Param value as a literal whose type it infers from
    the value; an empty list has no element to infer it from. If this starts to pass, pyspark
    has fixed it: update the README's Connect limits."""
    from pyspark.errors import PySparkTypeError

    data = VectorAssembler(inputCols=PIXELS, outputCol="features").transform(digits)
    with pytest.raises(PySparkTypeError, match="CANNOT_INFER_ARRAY_ELEMENT_TYPE"):
        SparkpropClassifier(hiddenLayers=[], maxIter=2).fit(data)
