"""The Python wrapper and the JVM class called directly (through py4j, as a Java program would)
fit the same model for the same data, Params and seed."""

import numpy as np
import pytest
from pyspark.ml.feature import VectorAssembler

from sparkprop.ml import SparkpropClassifier, SparkpropRegressor

from conftest import CONCRETE, PIXELS

pytestmark = [pytest.mark.usefixtures("spark"),
              pytest.mark.only("classic", reason="calls the JVM classes through py4j")]


def java_array(spark, kind, values):
    gateway = spark.sparkContext._gateway
    array = gateway.new_array(getattr(gateway.jvm, kind), len(values))
    for i, value in enumerate(values):
        array[i] = value
    return array


def test_classifier_with_non_default_params(spark, digits):
    data = VectorAssembler(inputCols=PIXELS, outputCol="features").transform(digits)
    # Mostly non-default values, so that a Param the wrapper dropped or mistyped would show.
    python = SparkpropClassifier(
        hiddenLayers=[12, 6], hiddenActivation="sigmoid", initialization="normal(0.1)",
        solver="momentum", nesterov=True, momentum=0.8, stepSize=0.05, batchSize=300,
        learningRateSchedule="cosine", minLearningRate=0.001, warmupEpochs=1, clipNorm=5.0,
        regParam=1e-3, maxIter=4, seed=123456789012, blockSize=100).fit(data)
    java = (spark._jvm.dev.sparkprop.ml.SparkpropClassifier()
            .setHiddenLayers(java_array(spark, "int", [12, 6])).setHiddenActivation("sigmoid")
            .setInitialization("normal(0.1)").setSolver("momentum").setNesterov(True)
            .setMomentum(0.8).setStepSize(0.05).setBatchSize(300)
            .setLearningRateSchedule("cosine").setMinLearningRate(0.001).setWarmupEpochs(1)
            .setClipNorm(5.0).setRegParam(1e-3).setMaxIter(4).setSeed(123456789012)
            .setBlockSize(100)).fit(data._jdf)
    python_weights = python.weights.toArray()
    java_weights = np.array(list(java.weights().toArray()))
    assert python_weights.size == java_weights.size == 64 * 12 + 12 + 12 * 6 + 6 + 6 * 10 + 10
    print(f"largest |python - java| weight: {np.max(np.abs(python_weights - java_weights))}")
    assert np.max(np.abs(python_weights - java_weights)) <= 1e-12


def test_regressor_with_non_default_params(spark):
    start = [float(v) for v in np.linspace(-0.2, 0.2, 8 * 7 + 7 + 7 + 1)]   # [8, 7, 1]
    concrete = spark.read.csv(str(CONCRETE), header=True, inferSchema=True)
    features = [c for c in concrete.columns if c != "compressive_strength"]
    data = VectorAssembler(inputCols=features, outputCol="features").transform(concrete)
    python = SparkpropRegressor(
        labelCol="compressive_strength", hiddenLayers=[7], hiddenActivation="leaky_relu",
        solver="adam", beta1=0.8, beta2=0.99, epsilon=1e-6, stepSize=0.02, batchSize=0,
        standardizeLabel=False, maxIter=5, seed=-3,
        initialWeights=start).fit(data)
    java = (spark._jvm.dev.sparkprop.ml.SparkpropRegressor()
            .setLabelCol("compressive_strength")
            .setHiddenLayers(java_array(spark, "int", [7])).setHiddenActivation("leaky_relu")
            .setSolver("adam").setBeta1(0.8).setBeta2(0.99).setEpsilon(1e-6).setStepSize(0.02)
            .setBatchSize(0).setStandardizeLabel(False).setMaxIter(5).setSeed(-3)
            .setInitialWeights(java_array(spark, "double", start))).fit(data._jdf)
    python_weights = python.weights.toArray()
    java_weights = np.array(list(java.weights().toArray()))
    assert not np.array_equal(python_weights, start)   # it trained
    assert np.max(np.abs(python_weights - java_weights)) <= 1e-12
