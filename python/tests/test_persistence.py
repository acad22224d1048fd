"""Saving and loading from Python: Estimators, Models, Pipelines, PipelineModels.

Each load goes through one of the name mappings of sparkprop.ml._persistence (pyspark alone
would look for the Python module `dev.sparkprop.ml` or the JVM class
`sparkprop.ml.SparkpropClassificationModel`, and fail).
"""

import numpy as np
import pytest
from pyspark.ml import Pipeline, PipelineModel

from sparkprop.ml import (SparkpropClassificationModel, SparkpropClassifier,
                          SparkpropRegressionModel, SparkpropRegressor)

from conftest import CONCRETE, column, digits_pipeline

# Every test here makes JVM objects (classic) or talks to the server (Connect).
pytestmark = pytest.mark.usefixtures("spark")

QUICK = dict(hiddenLayers=[16], hiddenActivation="tanh", solver="adam", stepSize=0.03,
             batchSize=0, maxIter=20, seed=3)


@pytest.fixture(scope="module")
def fitted(digits):
    return digits_pipeline(**QUICK).fit(digits)


def set_params(stage):
    return {p.name: stage.getOrDefault(p) for p in stage.params if stage.isSet(p)}


def test_estimator_saves_and_loads_with_its_params(tmp_path):
    clf = SparkpropClassifier(hiddenLayers=[8, 4], solver="momentum", nesterov=True,
                              stepSize=0.05, seed=-7, initialization="normal(0.01)",
                              validationIndicatorCol="isVal", initialWeights=[0.5, -0.25])
    clf.save(str(tmp_path / "clf"))
    loaded = SparkpropClassifier.load(str(tmp_path / "clf"))
    assert type(loaded) is SparkpropClassifier
    assert loaded.uid == clf.uid
    assert set_params(loaded) == set_params(clf)
    assert loaded.getHiddenLayers() == [8, 4] and loaded.getSeed() == -7
    assert loaded.getInitialWeights() == [0.5, -0.25]
    assert loaded.getMaxIter() == 100   # a default stays a default


def test_regressor_saves_and_loads_with_its_params(tmp_path):
    reg = SparkpropRegressor(standardizeLabel=False, solver="lbfgs", historySize=5, tol=1e-9)
    reg.write().overwrite().save(str(tmp_path / "reg"))
    loaded = SparkpropRegressor.load(str(tmp_path / "reg"))
    assert type(loaded) is SparkpropRegressor
    assert set_params(loaded) == set_params(reg)
    assert loaded.getStandardizeLabel() is False


def test_model_saves_and_loads_with_identical_predictions(fitted, digits, tmp_path):
    model = fitted.stages[-1]
    features = fitted.stages[1].transform(fitted.stages[0].transform(digits))
    model.save(str(tmp_path / "model"))
    loaded = SparkpropClassificationModel.load(str(tmp_path / "model"))
    assert type(loaded) is SparkpropClassificationModel
    assert loaded.uid == model.uid
    assert loaded.getHiddenLayers() == [16] and loaded.getSolver() == "adam"
    assert loaded.numClasses == 10 and loaded.numFeatures == 64
    for name in ["rawPrediction", "probability", "prediction"]:
        assert np.array_equal(column(loaded.transform(features), name),
                              column(model.transform(features), name)), name


def test_saved_model_holds_the_sparkprop_model_files(fitted, tmp_path):
    fitted.stages[-1].save(str(tmp_path / "model"))
    files = {p.name for p in (tmp_path / "model").iterdir()}
    assert {"metadata", "metadata.json", "model.safetensors"} <= files


def test_pipeline_saves_and_loads(tmp_path):
    pipeline = digits_pipeline(**QUICK)
    pipeline.save(str(tmp_path / "pipeline"))
    loaded = Pipeline.load(str(tmp_path / "pipeline"))
    stages = loaded.getStages()
    assert [type(s).__name__ for s in stages] == ["StringIndexer", "VectorAssembler",
                                                  "SparkpropClassifier"]
    assert type(stages[-1]) is SparkpropClassifier
    assert set_params(stages[-1]) == set_params(pipeline.getStages()[-1])


def test_pipeline_model_saves_and_loads_with_identical_predictions(fitted, digits, tmp_path):
    fitted.save(str(tmp_path / "pipeline-model"))
    loaded = PipelineModel.load(str(tmp_path / "pipeline-model"))
    assert type(loaded.stages[-1]) is SparkpropClassificationModel
    assert loaded.stages[-1].uid == fitted.stages[-1].uid
    for name in ["probability", "prediction"]:
        assert np.array_equal(column(loaded.transform(digits), name),
                              column(fitted.transform(digits), name)), name


def test_regression_model_saves_and_loads(spark, tmp_path):
    from pyspark.ml.feature import VectorAssembler

    concrete = spark.read.csv(str(CONCRETE), header=True, inferSchema=True)
    features = [c for c in concrete.columns if c != "compressive_strength"]
    data = VectorAssembler(inputCols=features, outputCol="features").transform(concrete)
    model = SparkpropRegressor(labelCol="compressive_strength", hiddenLayers=[8],
                               solver="lbfgs", maxIter=20).fit(data)
    model.save(str(tmp_path / "reg-model"))
    loaded = SparkpropRegressionModel.load(str(tmp_path / "reg-model"))
    assert type(loaded) is SparkpropRegressionModel
    assert np.array_equal(column(loaded.transform(data), "prediction"),
                          column(model.transform(data), "prediction"))


@pytest.mark.only("classic", reason="py4j: a JVM PipelineModel object handed to Python")
def test_jvm_pipeline_model_maps_back_to_the_python_classes(fitted):
    """JavaParams._from_java, which pyspark uses for JVM stages inside Pipelines and tuning
    models, finds sparkprop's Python class for dev.sparkprop.ml's JVM class."""
    back = PipelineModel._from_java(fitted._to_java())
    assert type(back.stages[-1]) is SparkpropClassificationModel
    assert back.stages[-1].getHiddenLayers() == [16]

