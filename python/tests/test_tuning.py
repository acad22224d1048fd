"""CrossValidator over hiddenLayers, and its model saved and loaded from Python."""

import numpy as np
import pytest
from pyspark.ml.evaluation import MulticlassClassificationEvaluator
from pyspark.ml.feature import VectorAssembler
from pyspark.ml.tuning import CrossValidator, CrossValidatorModel, ParamGridBuilder

from sparkprop.ml import SparkpropClassificationModel, SparkpropClassifier

from conftest import PIXELS, column

# Every test here makes JVM objects (classic) or talks to the server (Connect).
pytestmark = pytest.mark.usefixtures("spark")


def test_cross_validator_picks_the_wider_network(digits, tmp_path):
    data = VectorAssembler(inputCols=PIXELS, outputCol="features").transform(digits)
    classifier = SparkpropClassifier(hiddenActivation="tanh", solver="adam", stepSize=0.03,
                                     batchSize=0, maxIter=40, seed=42)
    # One tanh unit cannot separate ten digits (about 0.3 accuracy); 32 units reach > 0.9.
    grid = ParamGridBuilder().addGrid(classifier.hiddenLayers, [[1], [32]]).build()
    evaluator = MulticlassClassificationEvaluator(metricName="accuracy")
    cv = CrossValidator(estimator=classifier, estimatorParamMaps=grid, evaluator=evaluator,
                        numFolds=2, seed=42, parallelism=1)
    cv_model = cv.fit(data)
    narrow, wide = cv_model.avgMetrics
    print(f"cross-validated accuracy: hiddenLayers [1] {narrow:.4f}, [32] {wide:.4f}")
    assert wide > 0.9 and narrow < 0.6
    best = cv_model.bestModel
    assert isinstance(best, SparkpropClassificationModel)
    assert best.getHiddenLayers() == [32]

    cv_model.save(str(tmp_path / "cv"))
    loaded = CrossValidatorModel.load(str(tmp_path / "cv"))
    assert isinstance(loaded.bestModel, SparkpropClassificationModel)
    assert list(loaded.avgMetrics) == list(cv_model.avgMetrics)
    assert np.array_equal(column(loaded.transform(data), "probability"),
                          column(cv_model.transform(data), "probability"))
