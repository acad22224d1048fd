"""SparkpropRegressor and SparkpropRegressionModel: pyspark wrappers of
dev.sparkprop.ml.SparkpropRegressor and its model."""

from typing import Any, Dict, List, Optional

from pyspark import keyword_only
from pyspark.ml.linalg import Vector
from pyspark.ml.regression import _JavaRegressionModel, _JavaRegressor
from pyspark.ml.util import JavaMLWritable
from pyspark.ml.base import _PredictorParams

from sparkprop.ml._params import _SparkpropParams, _SparkpropSetters
from sparkprop.ml._persistence import _register, _SparkpropReadable

__all__ = ["SparkpropRegressor", "SparkpropRegressionModel"]


class _SparkpropRegressorParams(_PredictorParams, _SparkpropParams):
    """Params of SparkpropRegressor and SparkpropRegressionModel."""


@_register
class SparkpropRegressor(
    _JavaRegressor["SparkpropRegressionModel"],
    _SparkpropRegressorParams,
    _SparkpropSetters,
    JavaMLWritable,
    _SparkpropReadable["SparkpropRegressor"],
):
    """A fully connected network trained by sparkprop on Spark for a numeric label:
    identity output and mean-squared error by default.

    >>> reg = SparkpropRegressor(hiddenLayers=[32], solver="adam", stepSize=0.01, maxIter=300)
    >>> model = reg.fit(train)          # a DataFrame with "features" and "label"
    >>> model.transform(test).select("prediction")
    """

    _java_class = "dev.sparkprop.ml.SparkpropRegressor"
    _input_kwargs: Dict[str, Any]

    @keyword_only
    def __init__(
        self,
        *,
        featuresCol: str = "features",
        labelCol: str = "label",
        predictionCol: str = "prediction",
        hiddenLayers: List[int] = [32],
        hiddenActivation: str = "relu",
        outputActivation: str = "auto",
        loss: str = "auto",
        initialization: str = "auto",
        precision: str = "float64",
        solver: str = "gd",
        stepSize: float = 0.1,
        batchSize: int = 64,
        momentum: float = 0.9,
        nesterov: bool = False,
        beta1: float = 0.9,
        beta2: float = 0.999,
        epsilon: float = 1e-8,
        learningRateSchedule: str = "constant",
        scheduleEpochs: int = 10,
        scheduleRate: float = 0.5,
        minLearningRate: float = 0.0,
        warmupEpochs: int = 0,
        clipNorm: float = 0.0,
        regParam: float = 0.0,
        historySize: int = 10,
        tol: float = 1e-6,
        maxIter: int = 100,
        seed: int = 42,
        standardization: bool = True,
        standardizeLabel: bool = True,
        blockSize: int = 1024,
        aggregationDepth: int = 2,
        numPartitions: int = 0,
        validationIndicatorCol: Optional[str] = None,
        earlyStoppingPatience: int = 0,
        earlyStoppingMinDelta: float = 0.0,
        checkpointDir: Optional[str] = None,
        checkpointInterval: int = 10,
        initialWeights: Optional[List[float]] = None,
        localSteps: int = 1,
    ):
        super().__init__()
        self._java_obj = self._new_java_obj(self._java_class, self.uid)
        kwargs = self._input_kwargs
        self.setParams(**kwargs)

    @keyword_only
    def setParams(
        self,
        *,
        featuresCol: str = "features",
        labelCol: str = "label",
        predictionCol: str = "prediction",
        hiddenLayers: List[int] = [32],
        hiddenActivation: str = "relu",
        outputActivation: str = "auto",
        loss: str = "auto",
        initialization: str = "auto",
        precision: str = "float64",
        solver: str = "gd",
        stepSize: float = 0.1,
        batchSize: int = 64,
        momentum: float = 0.9,
        nesterov: bool = False,
        beta1: float = 0.9,
        beta2: float = 0.999,
        epsilon: float = 1e-8,
        learningRateSchedule: str = "constant",
        scheduleEpochs: int = 10,
        scheduleRate: float = 0.5,
        minLearningRate: float = 0.0,
        warmupEpochs: int = 0,
        clipNorm: float = 0.0,
        regParam: float = 0.0,
        historySize: int = 10,
        tol: float = 1e-6,
        maxIter: int = 100,
        seed: int = 42,
        standardization: bool = True,
        standardizeLabel: bool = True,
        blockSize: int = 1024,
        aggregationDepth: int = 2,
        numPartitions: int = 0,
        validationIndicatorCol: Optional[str] = None,
        earlyStoppingPatience: int = 0,
        earlyStoppingMinDelta: float = 0.0,
        checkpointDir: Optional[str] = None,
        checkpointInterval: int = 10,
        initialWeights: Optional[List[float]] = None,
        localSteps: int = 1,
    ) -> "SparkpropRegressor":
        """Sets params for SparkpropRegressor (keyword arguments only)."""
        kwargs = self._input_kwargs
        return self._set(**kwargs)

    def _create_model(self, java_model: Any) -> "SparkpropRegressionModel":
        return SparkpropRegressionModel(java_model)


@_register
class SparkpropRegressionModel(
    _JavaRegressionModel[Vector],
    _SparkpropRegressorParams,
    JavaMLWritable,
    _SparkpropReadable["SparkpropRegressionModel"],
):
    """Model fitted by SparkpropRegressor; predictions are in the label's units. Its saved
    directory also holds the sparkprop model (README "Model format")."""

    _java_class = "dev.sparkprop.ml.SparkpropRegressionModel"

    @property
    def weights(self) -> Vector:
        """The network's parameters as one flat vector (layer by layer). Not available over
        Spark Connect (see SparkpropClassificationModel.weights)."""
        return self._call_java("weights")

    @property
    def layers(self) -> List[int]:
        """The network's layer sizes, input to output. Not available over Spark Connect
        (not on its allow-list; the saved metadata.json has them as "layers")."""
        return list(self._call_java("layers"))
