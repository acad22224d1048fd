package dev.sparkprop.ml;

import org.apache.spark.ml.param.Params;

/**
 * The setters of {@link SparkpropParams} for an Estimator of type {@code T}, each returning the
 * Estimator for chaining: {@code new SparkpropClassifier().setHiddenLayers(new int[] {64})
 * .setSolver("adam").setMaxIter(200)}. A value outside a Param's range fails here, naming it.
 *
 * @param <T> the Estimator
 */
public interface SparkpropEstimatorParams<T extends SparkpropEstimatorParams<T>>
    extends SparkpropParams {
  @SuppressWarnings("unchecked")
  private T self(Params p) {
    return (T) p;
  }

  /** Sets hidden layer sizes. */
  default T setHiddenLayers(int[] value) {
    return self(set(hiddenLayers(), value));
  }

  /** Sets the hidden layers' activation. */
  default T setHiddenActivation(String value) {
    return self(set(hiddenActivation(), value));
  }

  /** Sets the output layer's activation. */
  default T setOutputActivation(String value) {
    return self(set(outputActivation(), value));
  }

  /** Sets the loss. */
  default T setLoss(String value) {
    return self(set(loss(), value));
  }

  /** Sets the weight initialisation. */
  default T setInitialization(String value) {
    return self(set(initialization(), value));
  }

  /** Sets the arithmetic of training. */
  default T setPrecision(String value) {
    return self(set(precision(), value));
  }

  /** Sets the optimizer. */
  default T setSolver(String value) {
    return self(set(solver(), value));
  }

  /** Sets the learning rate. */
  default T setStepSize(double value) {
    return self(set(stepSize(), value));
  }

  /** Sets rows per mini-batch step. */
  default T setBatchSize(int value) {
    return self(set(batchSize(), value));
  }

  /** Sets the local SGD steps per partition between synchronisations (1 = synchronous). */
  default T setLocalSteps(int value) {
    return self(set(localSteps(), value));
  }

  /** Sets the momentum coefficient. */
  default T setMomentum(double value) {
    return self(set(momentum(), value));
  }

  /** Sets whether momentum is Nesterov's. */
  default T setNesterov(boolean value) {
    return self(set(nesterov(), value));
  }

  /** Sets Adam's first-moment decay. */
  default T setBeta1(double value) {
    return self(set(beta1(), value));
  }

  /** Sets Adam's second-moment decay. */
  default T setBeta2(double value) {
    return self(set(beta2(), value));
  }

  /** Sets Adam's epsilon. */
  default T setEpsilon(double value) {
    return self(set(epsilon(), value));
  }

  /** Sets the learning-rate schedule. */
  default T setLearningRateSchedule(String value) {
    return self(set(learningRateSchedule(), value));
  }

  /** Sets epochs per schedule decay. */
  default T setScheduleEpochs(int value) {
    return self(set(scheduleEpochs(), value));
  }

  /** Sets the schedule's decay factor. */
  default T setScheduleRate(double value) {
    return self(set(scheduleRate(), value));
  }

  /** Sets the cosine schedule's final learning rate. */
  default T setMinLearningRate(double value) {
    return self(set(minLearningRate(), value));
  }

  /** Sets warm-up epochs. */
  default T setWarmupEpochs(int value) {
    return self(set(warmupEpochs(), value));
  }

  /** Sets the gradient clipping norm. */
  default T setClipNorm(double value) {
    return self(set(clipNorm(), value));
  }

  /** Sets the L2 weight decay. */
  default T setRegParam(double value) {
    return self(set(regParam(), value));
  }

  /** Sets L-BFGS corrections kept. */
  default T setHistorySize(int value) {
    return self(set(historySize(), value));
  }

  /** Sets the L-BFGS tolerance. */
  default T setTol(double value) {
    return self(set(tol(), value));
  }

  /** Sets epochs. */
  default T setMaxIter(int value) {
    return self(set(maxIter(), value));
  }

  /** Sets the seed. */
  default T setSeed(long value) {
    return self(set(seed(), value));
  }

  /** Sets whether features are standardised. */
  default T setStandardization(boolean value) {
    return self(set(standardization(), value));
  }

  /** Sets whether a regression label is standardised. */
  default T setStandardizeLabel(boolean value) {
    return self(set(standardizeLabel(), value));
  }

  /** Sets rows per block. */
  default T setBlockSize(int value) {
    return self(set(blockSize(), value));
  }

  /** Sets the treeAggregate depth. */
  default T setAggregationDepth(int value) {
    return self(set(aggregationDepth(), value));
  }

  /** Sets partitions of the cached blocks. */
  default T setNumPartitions(int value) {
    return self(set(numPartitions(), value));
  }

  /** Sets the validation indicator column. */
  default T setValidationIndicatorCol(String value) {
    return self(set(validationIndicatorCol(), value));
  }

  /** Sets early-stopping patience. */
  default T setEarlyStoppingPatience(int value) {
    return self(set(earlyStoppingPatience(), value));
  }

  /** Sets early-stopping minimum improvement. */
  default T setEarlyStoppingMinDelta(double value) {
    return self(set(earlyStoppingMinDelta(), value));
  }

  /** Sets the checkpoint directory. */
  default T setCheckpointDir(String value) {
    return self(set(checkpointDir(), value));
  }

  /** Sets epochs between checkpoints. */
  default T setCheckpointInterval(int value) {
    return self(set(checkpointInterval(), value));
  }

  /** Sets the warm-start weights. */
  default T setInitialWeights(double[] value) {
    return self(set(initialWeights(), value));
  }
}
