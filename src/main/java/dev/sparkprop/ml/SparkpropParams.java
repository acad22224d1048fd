package dev.sparkprop.ml;

import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleArrayParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/**
 * The Params that sparkprop's Estimators and Models share, beside Spark's column params: one
 * public accessor per Param (Spark finds Params by reflection over such methods) and a getter
 * each. Docs, validators and defaults are in {@link SparkpropParamSet}; the setters in
 * {@link SparkpropEstimatorParams}.
 */
public interface SparkpropParams extends Params {
  /** This instance's Param objects, created on first use. */
  SparkpropParamSet sparkpropParams();

  default IntArrayParam hiddenLayers() {
    return sparkpropParams().hiddenLayers;
  }

  /** Hidden layer sizes. */
  default int[] getHiddenLayers() {
    return (int[]) getOrDefault(hiddenLayers());
  }

  default Param<String> hiddenActivation() {
    return sparkpropParams().hiddenActivation;
  }

  /** The hidden layers' activation. */
  default String getHiddenActivation() {
    return (String) getOrDefault(hiddenActivation());
  }

  default Param<String> outputActivation() {
    return sparkpropParams().outputActivation;
  }

  /** The output layer's activation. */
  default String getOutputActivation() {
    return (String) getOrDefault(outputActivation());
  }

  default Param<String> loss() {
    return sparkpropParams().loss;
  }

  /** The loss. */
  default String getLoss() {
    return (String) getOrDefault(loss());
  }

  default Param<String> initialization() {
    return sparkpropParams().initialization;
  }

  /** The weight initialisation. */
  default String getInitialization() {
    return (String) getOrDefault(initialization());
  }

  default Param<String> precision() {
    return sparkpropParams().precision;
  }

  /** The arithmetic of training. */
  default String getPrecision() {
    return (String) getOrDefault(precision());
  }

  default Param<String> solver() {
    return sparkpropParams().solver;
  }

  /** The optimizer. */
  default String getSolver() {
    return (String) getOrDefault(solver());
  }

  default DoubleParam stepSize() {
    return sparkpropParams().stepSize;
  }

  /** The learning rate. */
  default double getStepSize() {
    return (Double) getOrDefault(stepSize());
  }

  default IntParam batchSize() {
    return sparkpropParams().batchSize;
  }

  /** Rows per mini-batch step. */
  default int getBatchSize() {
    return (Integer) getOrDefault(batchSize());
  }

  default IntParam localSteps() {
    return sparkpropParams().localSteps;
  }

  /** Local SGD: steps per partition between synchronisations (1 = synchronous). */
  default int getLocalSteps() {
    return (Integer) getOrDefault(localSteps());
  }

  default DoubleParam momentum() {
    return sparkpropParams().momentum;
  }

  /** The momentum coefficient. */
  default double getMomentum() {
    return (Double) getOrDefault(momentum());
  }

  default BooleanParam nesterov() {
    return sparkpropParams().nesterov;
  }

  /** Whether momentum is Nesterov's. */
  default boolean getNesterov() {
    return (Boolean) getOrDefault(nesterov());
  }

  default DoubleParam beta1() {
    return sparkpropParams().beta1;
  }

  /** Adam's first-moment decay. */
  default double getBeta1() {
    return (Double) getOrDefault(beta1());
  }

  default DoubleParam beta2() {
    return sparkpropParams().beta2;
  }

  /** Adam's second-moment decay. */
  default double getBeta2() {
    return (Double) getOrDefault(beta2());
  }

  default DoubleParam epsilon() {
    return sparkpropParams().epsilon;
  }

  /** Adam's epsilon. */
  default double getEpsilon() {
    return (Double) getOrDefault(epsilon());
  }

  default Param<String> learningRateSchedule() {
    return sparkpropParams().learningRateSchedule;
  }

  /** The learning-rate schedule. */
  default String getLearningRateSchedule() {
    return (String) getOrDefault(learningRateSchedule());
  }

  default IntParam scheduleEpochs() {
    return sparkpropParams().scheduleEpochs;
  }

  /** Epochs per schedule decay. */
  default int getScheduleEpochs() {
    return (Integer) getOrDefault(scheduleEpochs());
  }

  default DoubleParam scheduleRate() {
    return sparkpropParams().scheduleRate;
  }

  /** The schedule's decay factor. */
  default double getScheduleRate() {
    return (Double) getOrDefault(scheduleRate());
  }

  default DoubleParam minLearningRate() {
    return sparkpropParams().minLearningRate;
  }

  /** The cosine schedule's final learning rate. */
  default double getMinLearningRate() {
    return (Double) getOrDefault(minLearningRate());
  }

  default IntParam warmupEpochs() {
    return sparkpropParams().warmupEpochs;
  }

  /** Warm-up epochs. */
  default int getWarmupEpochs() {
    return (Integer) getOrDefault(warmupEpochs());
  }

  default DoubleParam clipNorm() {
    return sparkpropParams().clipNorm;
  }

  /** The gradient clipping norm. */
  default double getClipNorm() {
    return (Double) getOrDefault(clipNorm());
  }

  default DoubleParam regParam() {
    return sparkpropParams().regParam;
  }

  /** The L2 weight decay. */
  default double getRegParam() {
    return (Double) getOrDefault(regParam());
  }

  default IntParam historySize() {
    return sparkpropParams().historySize;
  }

  /** L-BFGS corrections kept. */
  default int getHistorySize() {
    return (Integer) getOrDefault(historySize());
  }

  default DoubleParam tol() {
    return sparkpropParams().tol;
  }

  /** The L-BFGS tolerance. */
  default double getTol() {
    return (Double) getOrDefault(tol());
  }

  default IntParam maxIter() {
    return sparkpropParams().maxIter;
  }

  /** Epochs. */
  default int getMaxIter() {
    return (Integer) getOrDefault(maxIter());
  }

  default LongParam seed() {
    return sparkpropParams().seed;
  }

  /** The seed. */
  default long getSeed() {
    return (Long) getOrDefault(seed());
  }

  default BooleanParam standardization() {
    return sparkpropParams().standardization;
  }

  /** Whether features are standardised. */
  default boolean getStandardization() {
    return (Boolean) getOrDefault(standardization());
  }

  default BooleanParam standardizeLabel() {
    return sparkpropParams().standardizeLabel;
  }

  /** Whether a regression label is standardised. */
  default boolean getStandardizeLabel() {
    return (Boolean) getOrDefault(standardizeLabel());
  }

  default IntParam blockSize() {
    return sparkpropParams().blockSize;
  }

  /** Rows per block. */
  default int getBlockSize() {
    return (Integer) getOrDefault(blockSize());
  }

  default IntParam aggregationDepth() {
    return sparkpropParams().aggregationDepth;
  }

  /** The treeAggregate depth. */
  default int getAggregationDepth() {
    return (Integer) getOrDefault(aggregationDepth());
  }

  default IntParam numPartitions() {
    return sparkpropParams().numPartitions;
  }

  /** Partitions of the cached blocks. */
  default int getNumPartitions() {
    return (Integer) getOrDefault(numPartitions());
  }

  default Param<String> validationIndicatorCol() {
    return sparkpropParams().validationIndicatorCol;
  }

  /** The validation indicator column. */
  default String getValidationIndicatorCol() {
    return (String) getOrDefault(validationIndicatorCol());
  }

  default IntParam earlyStoppingPatience() {
    return sparkpropParams().earlyStoppingPatience;
  }

  /** Early-stopping patience. */
  default int getEarlyStoppingPatience() {
    return (Integer) getOrDefault(earlyStoppingPatience());
  }

  default DoubleParam earlyStoppingMinDelta() {
    return sparkpropParams().earlyStoppingMinDelta;
  }

  /** Early-stopping minimum improvement. */
  default double getEarlyStoppingMinDelta() {
    return (Double) getOrDefault(earlyStoppingMinDelta());
  }

  default Param<String> checkpointDir() {
    return sparkpropParams().checkpointDir;
  }

  /** The checkpoint directory. */
  default String getCheckpointDir() {
    return (String) getOrDefault(checkpointDir());
  }

  default IntParam checkpointInterval() {
    return sparkpropParams().checkpointInterval;
  }

  /** Epochs between checkpoints. */
  default int getCheckpointInterval() {
    return (Integer) getOrDefault(checkpointInterval());
  }

  default DoubleArrayParam initialWeights() {
    return sparkpropParams().initialWeights;
  }

  /** The warm-start weights. */
  default double[] getInitialWeights() {
    return (double[]) getOrDefault(initialWeights());
  }
}
