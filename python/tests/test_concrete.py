"""SparkpropRegressor on concrete compressive strength (src/data/concrete.csv)."""

import pytest
from pyspark.ml.evaluation import RegressionEvaluator
from pyspark.ml.feature import VectorAssembler

from sparkprop.ml import SparkpropRegressionModel, SparkpropRegressor

from conftest import CONCRETE

# Every test here makes JVM objects (classic) or talks to the server (Connect).
pytestmark = pytest.mark.usefixtures("spark")


def test_regressor_on_concrete(spark):
    concrete = spark.read.csv(str(CONCRETE), header=True, inferSchema=True)
    features = [c for c in concrete.columns if c != "compressive_strength"]
    assert len(features) == 8
    data = VectorAssembler(inputCols=features, outputCol="features").transform(concrete)
    train, test = data.randomSplit([0.8, 0.2], seed=7)
    # conf/concrete.conf's settings: [32] tanh, full-batch L-BFGS, at most 300 iterations.
    regressor = SparkpropRegressor(labelCol="compressive_strength", hiddenLayers=[32],
                                   hiddenActivation="tanh", solver="lbfgs", historySize=10,
                                   tol=1e-9, maxIter=300, seed=42)
    model = regressor.fit(train)
    assert isinstance(model, SparkpropRegressionModel)
    assert model.numFeatures == 8
    predictions = model.transform(test)
    evaluator = RegressionEvaluator(labelCol="compressive_strength")
    r2 = evaluator.setMetricName("r2").evaluate(predictions)
    rmse = evaluator.setMetricName("rmse").evaluate(predictions)
    print(f"concrete: test R2 {r2:.4f}, RMSE {rmse:.3f} MPa on {test.count()} rows")
    # The CLI reaches 0.90 on its own 80/20 split and a linear model about 0.6; 0.85 leaves
    # room for another split. RMSE in MPa shows the predictions are in the label's units.
    assert r2 >= 0.85
    assert rmse < 7.0
