"""The Params of sparkprop's Estimators and Models, mirrored from dev.sparkprop.ml.

Names, types and defaults are the JVM classes' (tests/test_params.py compares them with the
JVM's, param by param); the JVM is the one home of each default, these are its mirror.
"""

from typing import List, TypeVar

from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.ml.param.shared import (
    HasAggregationDepth,
    HasBlockSize,
    HasMaxIter,
    HasSeed,
    HasStepSize,
    HasTol,
    HasValidationIndicatorCol,
)

P = TypeVar("P", bound=Params)


class _SparkpropParams(
    HasMaxIter,
    HasTol,
    HasStepSize,
    HasSeed,
    HasBlockSize,
    HasAggregationDepth,
    HasValidationIndicatorCol,
):
    """Params shared by SparkpropClassifier and SparkpropRegressor and their models."""

    hiddenLayers: "Param[List[int]]" = Param(
        Params._dummy(),
        "hiddenLayers",
        "Sizes of the hidden layers, input to output; the input and output sizes come from "
        "the data. [] for no hidden layer (network.hidden).",
        typeConverter=TypeConverters.toListInt,
    )
    hiddenActivation: "Param[str]" = Param(
        Params._dummy(),
        "hiddenActivation",
        "Activation of every hidden layer: sigmoid, tanh, relu, leaky_relu, identity "
        "(network.hidden-activation).",
        typeConverter=TypeConverters.toString,
    )
    outputActivation: "Param[str]" = Param(
        Params._dummy(),
        "outputActivation",
        "Activation of the output layer: auto (softmax for classification, identity for "
        "regression), sigmoid, tanh, relu, leaky_relu, identity, softmax "
        "(network.output-activation).",
        typeConverter=TypeConverters.toString,
    )
    loss: "Param[str]" = Param(
        Params._dummy(),
        "loss",
        "Loss minimised: auto (cross_entropy for classification, mse for regression), mse, "
        "cross_entropy (softmax output only), binary_cross_entropy (sigmoid output only) "
        "(network.loss).",
        typeConverter=TypeConverters.toString,
    )
    initialization: "Param[str]" = Param(
        Params._dummy(),
        "initialization",
        "Weight initialisation, biases start at 0: auto (he for relu/leaky_relu layers, "
        "xavier otherwise), xavier, he, normal(STD) with STD > 0 (network.init).",
        typeConverter=TypeConverters.toString,
    )
    precision: "Param[str]" = Param(
        Params._dummy(),
        "precision",
        "Arithmetic of training: float64, or float32 (features cached as floats, products "
        "in single precision; parameters and sums stay float64) (network.precision).",
        typeConverter=TypeConverters.toString,
    )
    solver: "Param[str]" = Param(
        Params._dummy(),
        "solver",
        "The optimizer: gd (full-batch gradient descent), sgd (mini-batch), momentum, adam, "
        "lbfgs (full-batch L-BFGS) (optimizer.name).",
        typeConverter=TypeConverters.toString,
    )
    batchSize: "Param[int]" = Param(
        Params._dummy(),
        "batchSize",
        "Rows per step, summed over the cluster (sgd, momentum, adam); 0 = full-batch steps "
        "(momentum, adam) (optimizer.batch-size).",
        typeConverter=TypeConverters.toInt,
    )
    momentum: "Param[float]" = Param(
        Params._dummy(),
        "momentum",
        "Momentum coefficient in [0, 1) (momentum) (optimizer.momentum).",
        typeConverter=TypeConverters.toFloat,
    )
    nesterov: "Param[bool]" = Param(
        Params._dummy(),
        "nesterov",
        "Nesterov's form of momentum (momentum) (optimizer.nesterov).",
        typeConverter=TypeConverters.toBoolean,
    )
    beta1: "Param[float]" = Param(
        Params._dummy(),
        "beta1",
        "Decay rate of Adam's first moment estimate, in [0, 1) (optimizer.beta1).",
        typeConverter=TypeConverters.toFloat,
    )
    beta2: "Param[float]" = Param(
        Params._dummy(),
        "beta2",
        "Decay rate of Adam's second moment estimate, in [0, 1) (optimizer.beta2).",
        typeConverter=TypeConverters.toFloat,
    )
    epsilon: "Param[float]" = Param(
        Params._dummy(),
        "epsilon",
        "Added to Adam's denominator, > 0 (optimizer.epsilon).",
        typeConverter=TypeConverters.toFloat,
    )
    learningRateSchedule: "Param[str]" = Param(
        Params._dummy(),
        "learningRateSchedule",
        "Learning-rate schedule: constant, step (times scheduleRate every scheduleEpochs "
        "epochs), exponential (the same, continuously), cosine (down to minLearningRate at "
        "the last epoch) (optimizer.schedule).",
        typeConverter=TypeConverters.toString,
    )
    scheduleEpochs: "Param[int]" = Param(
        Params._dummy(),
        "scheduleEpochs",
        "Epochs per decay of the step and exponential schedules, >= 1 "
        "(optimizer.schedule-epochs).",
        typeConverter=TypeConverters.toInt,
    )
    scheduleRate: "Param[float]" = Param(
        Params._dummy(),
        "scheduleRate",
        "Decay factor of the step and exponential schedules, in (0, 1] "
        "(optimizer.schedule-rate).",
        typeConverter=TypeConverters.toFloat,
    )
    minLearningRate: "Param[float]" = Param(
        Params._dummy(),
        "minLearningRate",
        "Final learning rate of the cosine schedule, >= 0 (optimizer.min-learning-rate).",
        typeConverter=TypeConverters.toFloat,
    )
    warmupEpochs: "Param[int]" = Param(
        Params._dummy(),
        "warmupEpochs",
        "Epochs of linear warm-up from 0 to stepSize before the schedule starts, >= 0 "
        "(optimizer.warmup-epochs).",
        typeConverter=TypeConverters.toInt,
    )
    clipNorm: "Param[float]" = Param(
        Params._dummy(),
        "clipNorm",
        "Largest global L2 norm of a step's gradient, larger ones are scaled down to it; "
        "0 = no clipping (optimizer.clip-norm).",
        typeConverter=TypeConverters.toFloat,
    )
    regParam: "Param[float]" = Param(
        Params._dummy(),
        "regParam",
        "L2 weight decay: regParam/2 times the sum of squared weights (biases excluded) is "
        "added to the loss, >= 0 (optimizer.weight-decay).",
        typeConverter=TypeConverters.toFloat,
    )
    historySize: "Param[int]" = Param(
        Params._dummy(),
        "historySize",
        "Corrections L-BFGS keeps, >= 1 (optimizer.history-size).",
        typeConverter=TypeConverters.toInt,
    )
    standardization: "Param[bool]" = Param(
        Params._dummy(),
        "standardization",
        "Standardise features with training-row statistics, stored in the model "
        "(standardize-features).",
        typeConverter=TypeConverters.toBoolean,
    )
    standardizeLabel: "Param[bool]" = Param(
        Params._dummy(),
        "standardizeLabel",
        "Standardise a regression label while training; predictions are in the label's own "
        "units (standardize-label). The classifier has it too and ignores it.",
        typeConverter=TypeConverters.toBoolean,
    )
    numPartitions: "Param[int]" = Param(
        Params._dummy(),
        "numPartitions",
        "Partitions of the cached training blocks; 0 keeps the input's partitioning "
        "(partitions).",
        typeConverter=TypeConverters.toInt,
    )
    earlyStoppingPatience: "Param[int]" = Param(
        Params._dummy(),
        "earlyStoppingPatience",
        "Stop when the validation loss has not improved for this many epochs and keep the "
        "best epoch's weights; 0 = off, > 0 needs validationIndicatorCol "
        "(early-stopping.patience).",
        typeConverter=TypeConverters.toInt,
    )
    earlyStoppingMinDelta: "Param[float]" = Param(
        Params._dummy(),
        "earlyStoppingMinDelta",
        "The smallest decrease of the validation loss that counts as an improvement, >= 0 "
        "(early-stopping.min-delta).",
        typeConverter=TypeConverters.toFloat,
    )
    checkpointDir: "Param[str]" = Param(
        Params._dummy(),
        "checkpointDir",
        "Directory for training checkpoints (a local path or Hadoop file system URI); unset "
        "= none (checkpoint.dir).",
        typeConverter=TypeConverters.toString,
    )
    checkpointInterval: "Param[int]" = Param(
        Params._dummy(),
        "checkpointInterval",
        "Epochs between checkpoints, >= 1; the last epoch is always checkpointed "
        "(checkpoint.every).",
        typeConverter=TypeConverters.toInt,
    )
    initialWeights: "Param[List[float]]" = Param(
        Params._dummy(),
        "initialWeights",
        "Warm start: the flat parameter vector to start from (a model's weights); unset = "
        "fresh initialisation.",
        typeConverter=TypeConverters.toListFloat,
    )
    localSteps: "Param[int]" = Param(
        Params._dummy(),
        "localSteps",
        "Local SGD: mini-batch steps each partition takes on its own rows between two "
        "synchronisations, after which weights and moments are averaged by rows, >= 1; 1 = "
        "synchronous steps; above 1 needs batchSize >= 1 (optimizer.local-steps).",
        typeConverter=TypeConverters.toInt,
    )

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        self._setDefault(
            hiddenLayers=[32],
            hiddenActivation="relu",
            outputActivation="auto",
            loss="auto",
            initialization="auto",
            precision="float64",
            solver="gd",
            stepSize=0.1,
            batchSize=64,
            momentum=0.9,
            nesterov=False,
            beta1=0.9,
            beta2=0.999,
            epsilon=1e-8,
            learningRateSchedule="constant",
            scheduleEpochs=10,
            scheduleRate=0.5,
            minLearningRate=0.0,
            warmupEpochs=0,
            clipNorm=0.0,
            regParam=0.0,
            historySize=10,
            tol=1e-6,
            maxIter=100,
            seed=42,
            standardization=True,
            standardizeLabel=True,
            blockSize=1024,
            aggregationDepth=2,
            numPartitions=0,
            earlyStoppingPatience=0,
            earlyStoppingMinDelta=0.0,
            checkpointInterval=10,
            localSteps=1,
        )

    def getHiddenLayers(self) -> List[int]:
        """Gets the value of hiddenLayers or its default value."""
        return self.getOrDefault(self.hiddenLayers)

    def getHiddenActivation(self) -> str:
        """Gets the value of hiddenActivation or its default value."""
        return self.getOrDefault(self.hiddenActivation)

    def getOutputActivation(self) -> str:
        """Gets the value of outputActivation or its default value."""
        return self.getOrDefault(self.outputActivation)

    def getLoss(self) -> str:
        """Gets the value of loss or its default value."""
        return self.getOrDefault(self.loss)

    def getInitialization(self) -> str:
        """Gets the value of initialization or its default value."""
        return self.getOrDefault(self.initialization)

    def getPrecision(self) -> str:
        """Gets the value of precision or its default value."""
        return self.getOrDefault(self.precision)

    def getSolver(self) -> str:
        """Gets the value of solver or its default value."""
        return self.getOrDefault(self.solver)

    def getBatchSize(self) -> int:
        """Gets the value of batchSize or its default value."""
        return self.getOrDefault(self.batchSize)

    def getMomentum(self) -> float:
        """Gets the value of momentum or its default value."""
        return self.getOrDefault(self.momentum)

    def getNesterov(self) -> bool:
        """Gets the value of nesterov or its default value."""
        return self.getOrDefault(self.nesterov)

    def getBeta1(self) -> float:
        """Gets the value of beta1 or its default value."""
        return self.getOrDefault(self.beta1)

    def getBeta2(self) -> float:
        """Gets the value of beta2 or its default value."""
        return self.getOrDefault(self.beta2)

    def getEpsilon(self) -> float:
        """Gets the value of epsilon or its default value."""
        return self.getOrDefault(self.epsilon)

    def getLearningRateSchedule(self) -> str:
        """Gets the value of learningRateSchedule or its default value."""
        return self.getOrDefault(self.learningRateSchedule)

    def getScheduleEpochs(self) -> int:
        """Gets the value of scheduleEpochs or its default value."""
        return self.getOrDefault(self.scheduleEpochs)

    def getScheduleRate(self) -> float:
        """Gets the value of scheduleRate or its default value."""
        return self.getOrDefault(self.scheduleRate)

    def getMinLearningRate(self) -> float:
        """Gets the value of minLearningRate or its default value."""
        return self.getOrDefault(self.minLearningRate)

    def getWarmupEpochs(self) -> int:
        """Gets the value of warmupEpochs or its default value."""
        return self.getOrDefault(self.warmupEpochs)

    def getClipNorm(self) -> float:
        """Gets the value of clipNorm or its default value."""
        return self.getOrDefault(self.clipNorm)

    def getRegParam(self) -> float:
        """Gets the value of regParam or its default value."""
        return self.getOrDefault(self.regParam)

    def getHistorySize(self) -> int:
        """Gets the value of historySize or its default value."""
        return self.getOrDefault(self.historySize)

    def getStandardization(self) -> bool:
        """Gets the value of standardization or its default value."""
        return self.getOrDefault(self.standardization)

    def getStandardizeLabel(self) -> bool:
        """Gets the value of standardizeLabel or its default value."""
        return self.getOrDefault(self.standardizeLabel)

    def getNumPartitions(self) -> int:
        """Gets the value of numPartitions or its default value."""
        return self.getOrDefault(self.numPartitions)

    def getEarlyStoppingPatience(self) -> int:
        """Gets the value of earlyStoppingPatience or its default value."""
        return self.getOrDefault(self.earlyStoppingPatience)

    def getEarlyStoppingMinDelta(self) -> float:
        """Gets the value of earlyStoppingMinDelta or its default value."""
        return self.getOrDefault(self.earlyStoppingMinDelta)

    def getCheckpointDir(self) -> str:
        """Gets the value of checkpointDir (no default: unset means no checkpoints)."""
        return self.getOrDefault(self.checkpointDir)

    def getCheckpointInterval(self) -> int:
        """Gets the value of checkpointInterval or its default value."""
        return self.getOrDefault(self.checkpointInterval)

    def getInitialWeights(self) -> List[float]:
        """Gets the value of initialWeights (no default: unset means a fresh start)."""
        return self.getOrDefault(self.initialWeights)

    def getLocalSteps(self) -> int:
        """Gets the value of localSteps or its default value."""
        return self.getOrDefault(self.localSteps)


class _SparkpropSetters:
    """Setters of the shared Params, for the Estimators (models set only their columns)."""

    def setHiddenLayers(self: P, value: List[int]) -> P:
        """Sets the value of :py:attr:`hiddenLayers`."""
        return self._set(hiddenLayers=value)

    def setHiddenActivation(self: P, value: str) -> P:
        """Sets the value of :py:attr:`hiddenActivation`."""
        return self._set(hiddenActivation=value)

    def setOutputActivation(self: P, value: str) -> P:
        """Sets the value of :py:attr:`outputActivation`."""
        return self._set(outputActivation=value)

    def setLoss(self: P, value: str) -> P:
        """Sets the value of :py:attr:`loss`."""
        return self._set(loss=value)

    def setInitialization(self: P, value: str) -> P:
        """Sets the value of :py:attr:`initialization`."""
        return self._set(initialization=value)

    def setPrecision(self: P, value: str) -> P:
        """Sets the value of :py:attr:`precision`."""
        return self._set(precision=value)

    def setSolver(self: P, value: str) -> P:
        """Sets the value of :py:attr:`solver`."""
        return self._set(solver=value)

    def setStepSize(self: P, value: float) -> P:
        """Sets the value of :py:attr:`stepSize`."""
        return self._set(stepSize=value)

    def setBatchSize(self: P, value: int) -> P:
        """Sets the value of :py:attr:`batchSize`."""
        return self._set(batchSize=value)

    def setMomentum(self: P, value: float) -> P:
        """Sets the value of :py:attr:`momentum`."""
        return self._set(momentum=value)

    def setNesterov(self: P, value: bool) -> P:
        """Sets the value of :py:attr:`nesterov`."""
        return self._set(nesterov=value)

    def setBeta1(self: P, value: float) -> P:
        """Sets the value of :py:attr:`beta1`."""
        return self._set(beta1=value)

    def setBeta2(self: P, value: float) -> P:
        """Sets the value of :py:attr:`beta2`."""
        return self._set(beta2=value)

    def setEpsilon(self: P, value: float) -> P:
        """Sets the value of :py:attr:`epsilon`."""
        return self._set(epsilon=value)

    def setLearningRateSchedule(self: P, value: str) -> P:
        """Sets the value of :py:attr:`learningRateSchedule`."""
        return self._set(learningRateSchedule=value)

    def setScheduleEpochs(self: P, value: int) -> P:
        """Sets the value of :py:attr:`scheduleEpochs`."""
        return self._set(scheduleEpochs=value)

    def setScheduleRate(self: P, value: float) -> P:
        """Sets the value of :py:attr:`scheduleRate`."""
        return self._set(scheduleRate=value)

    def setMinLearningRate(self: P, value: float) -> P:
        """Sets the value of :py:attr:`minLearningRate`."""
        return self._set(minLearningRate=value)

    def setWarmupEpochs(self: P, value: int) -> P:
        """Sets the value of :py:attr:`warmupEpochs`."""
        return self._set(warmupEpochs=value)

    def setClipNorm(self: P, value: float) -> P:
        """Sets the value of :py:attr:`clipNorm`."""
        return self._set(clipNorm=value)

    def setRegParam(self: P, value: float) -> P:
        """Sets the value of :py:attr:`regParam`."""
        return self._set(regParam=value)

    def setHistorySize(self: P, value: int) -> P:
        """Sets the value of :py:attr:`historySize`."""
        return self._set(historySize=value)

    def setTol(self: P, value: float) -> P:
        """Sets the value of :py:attr:`tol`."""
        return self._set(tol=value)

    def setMaxIter(self: P, value: int) -> P:
        """Sets the value of :py:attr:`maxIter` (epochs)."""
        return self._set(maxIter=value)

    def setSeed(self: P, value: int) -> P:
        """Sets the value of :py:attr:`seed`."""
        return self._set(seed=value)

    def setStandardization(self: P, value: bool) -> P:
        """Sets the value of :py:attr:`standardization`."""
        return self._set(standardization=value)

    def setStandardizeLabel(self: P, value: bool) -> P:
        """Sets the value of :py:attr:`standardizeLabel`."""
        return self._set(standardizeLabel=value)

    def setBlockSize(self: P, value: int) -> P:
        """Sets the value of :py:attr:`blockSize`."""
        return self._set(blockSize=value)

    def setAggregationDepth(self: P, value: int) -> P:
        """Sets the value of :py:attr:`aggregationDepth`."""
        return self._set(aggregationDepth=value)

    def setNumPartitions(self: P, value: int) -> P:
        """Sets the value of :py:attr:`numPartitions`."""
        return self._set(numPartitions=value)

    def setValidationIndicatorCol(self: P, value: str) -> P:
        """Sets the value of :py:attr:`validationIndicatorCol`."""
        return self._set(validationIndicatorCol=value)

    def setEarlyStoppingPatience(self: P, value: int) -> P:
        """Sets the value of :py:attr:`earlyStoppingPatience`."""
        return self._set(earlyStoppingPatience=value)

    def setEarlyStoppingMinDelta(self: P, value: float) -> P:
        """Sets the value of :py:attr:`earlyStoppingMinDelta`."""
        return self._set(earlyStoppingMinDelta=value)

    def setCheckpointDir(self: P, value: str) -> P:
        """Sets the value of :py:attr:`checkpointDir`."""
        return self._set(checkpointDir=value)

    def setCheckpointInterval(self: P, value: int) -> P:
        """Sets the value of :py:attr:`checkpointInterval`."""
        return self._set(checkpointInterval=value)

    def setInitialWeights(self: P, value: List[float]) -> P:
        """Sets the value of :py:attr:`initialWeights`."""
        return self._set(initialWeights=value)

    def setLocalSteps(self: P, value: int) -> P:
        """Sets the value of :py:attr:`localSteps`."""
        return self._set(localSteps=value)
