"""SparkpropClassifier and SparkpropClassificationModel: pyspark wrappers of
dev.sparkprop.ml.SparkpropClassifier and its model, as pyspark.ml.classification wraps
MultilayerPerceptronClassifier."""

from typing import Any, Dict, List, Optional

from pyspark import keyword_only
from pyspark.ml.classification import (
    _JavaProbabilisticClassificationModel,
    _JavaProbabilisticClassifier,
    _ProbabilisticClassifierParams,
)
from pyspark.ml.linalg import Vector
from pyspark.ml.util import JavaMLWritable

from sparkprop.ml._params import _SparkpropParams, _SparkpropSetters
from sparkprop.ml._persistence import _register, _SparkpropReadable

__all__ = ["SparkpropClassifier", "SparkpropClassificationModel"]


class _SparkpropClassifierParams(_ProbabilisticClassifierParams, _SparkpropParams):
    """Params of SparkpropClassifier and SparkpropClassificationModel."""


@_register
class SparkpropClassifier(
    _JavaProbabilisticClassifier["SparkpropClassificationModel"],
    _SparkpropClassifierParams,
    _SparkpropSetters,
    JavaMLWritable,
    _SparkpropReadable["SparkpropClassifier"],
):
    """A fully connected network trained by sparkprop on Spark: softmax output and
    cross-entropy by default, labels 0..K-1 (index string labels with StringIndexer).

    >>> clf = SparkpropClassifier(hiddenLayers=[64], hiddenActivation="tanh",
    ...                           solver="adam", stepSize=0.03, batchSize=0, maxIter=200)
    >>> model = clf.fit(train)          # a DataFrame with "features" and "label"
    >>> model.transform(test).select("prediction", "probability")
    """

    _java_class = "dev.sparkprop.ml.SparkpropClassifier"
    _input_kwargs: Dict[str, Any]

    @keyword_only
    def __init__(
        self,
        *,
        featuresCol: str = "features",
        labelCol: str = "label",
        predictionCol: str = "prediction",
        probabilityCol: str = "probability",
        rawPredictionCol: str = "rawPrediction",
        thresholds: Optional[List[float]] = None,
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
        probabilityCol: str = "probability",
        rawPredictionCol: str = "rawPrediction",
        thresholds: Optional[List[float]] = None,
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
    ) -> "SparkpropClassifier":
        """Sets params for SparkpropClassifier (keyword arguments only)."""
        kwargs = self._input_kwargs
        return self._set(**kwargs)

    def _create_model(self, java_model: Any) -> "SparkpropClassificationModel":
        return SparkpropClassificationModel(java_model)


@_register
class SparkpropClassificationModel(
    _JavaProbabilisticClassificationModel[Vector],
    _SparkpropClassifierParams,
    JavaMLWritable,
    _SparkpropReadable["SparkpropClassificationModel"],
):
    """Model fitted by SparkpropClassifier. Its saved directory also holds the sparkprop
    model (metadata.json, model.safetensors) that `sparkprop predict`, numpy and PyTorch
    read (README "Model format")."""

    _java_class = "dev.sparkprop.ml.SparkpropClassificationModel"

    @property
    def weights(self) -> Vector:
        """The network's parameters as one flat vector (layer by layer). Not available over
        Spark Connect, whose server allow-lists the model methods a client may call; read
        the saved model.safetensors there instead."""
        return self._call_java("weights")

    @property
    def layers(self) -> List[int]:
        """The network's layer sizes, input to output. Not available over Spark Connect
        (not on its allow-list; the saved metadata.json has them as "layers")."""
        return list(self._call_java("layers"))
