package dev.sparkprop.ml;

import dev.sparkprop.nn.Init;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleArrayParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;
import scala.Function1;

/**
 * The Param objects of one sparkprop Estimator or Model, in Spark's naming ({@code maxIter},
 * {@code stepSize}, {@code regParam}, ...), each with its doc, validator and, where it has one,
 * the default of the {@code reference.conf} key it mirrors (a test checks that they agree).
 * Every non-String, non-Boolean Param has its value class, which Spark Connect needs.
 *
 * <p>Created by {@link SparkpropParams#sparkpropParams()} on first use, possibly while Spark's
 * superclass constructors run; {@link #setDefaults} is called from the owner's constructor.
 */
public final class SparkpropParamSet implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The hidden activations; softmax is an output activation only. */
  static final List<String> HIDDEN_ACTIVATIONS =
      List.of("sigmoid", "tanh", "relu", "leaky_relu", "identity");
  static final List<String> OUTPUT_ACTIVATIONS =
      List.of("auto", "sigmoid", "tanh", "relu", "leaky_relu", "identity", "softmax");
  static final List<String> LOSSES = List.of("auto", "mse", "cross_entropy",
      "binary_cross_entropy");
  static final List<String> SOLVERS = List.of("gd", "sgd", "momentum", "adam", "lbfgs");
  static final List<String> SCHEDULES = List.of("constant", "step", "exponential", "cosine");
  static final List<String> PRECISIONS = List.of("float64", "float32");

  final IntArrayParam hiddenLayers;
  final Param<String> hiddenActivation;
  final Param<String> outputActivation;
  final Param<String> loss;
  final Param<String> initialization;
  final Param<String> precision;
  final Param<String> solver;
  final DoubleParam stepSize;
  final IntParam batchSize;
  final IntParam localSteps;
  final DoubleParam momentum;
  final BooleanParam nesterov;
  final DoubleParam beta1;
  final DoubleParam beta2;
  final DoubleParam epsilon;
  final Param<String> learningRateSchedule;
  final IntParam scheduleEpochs;
  final DoubleParam scheduleRate;
  final DoubleParam minLearningRate;
  final IntParam warmupEpochs;
  final DoubleParam clipNorm;
  final DoubleParam regParam;
  final IntParam historySize;
  final DoubleParam tol;
  final IntParam maxIter;
  final LongParam seed;
  final BooleanParam standardization;
  final BooleanParam standardizeLabel;
  final IntParam blockSize;
  final IntParam aggregationDepth;
  final IntParam numPartitions;
  final Param<String> validationIndicatorCol;
  final IntParam earlyStoppingPatience;
  final DoubleParam earlyStoppingMinDelta;
  final Param<String> checkpointDir;
  final IntParam checkpointInterval;
  final DoubleArrayParam initialWeights;

  SparkpropParamSet(Params owner) {
    String uid = owner.uid();
    hiddenLayers = new IntArrayParam(owner, "hiddenLayers", "hidden layer sizes, each >= 1 (an "
        + "empty array for none); the input and output sizes come from the data",
        validator((int[] a) -> Arrays.stream(a).allMatch(size -> size >= 1)));
    hiddenActivation = string(uid, "hiddenActivation", "activation of the hidden layers",
        HIDDEN_ACTIVATIONS);
    outputActivation = string(uid, "outputActivation", "activation of the output layer: auto "
        + "(softmax for classification, identity for regression) or one of", OUTPUT_ACTIVATIONS);
    loss = string(uid, "loss", "the loss: auto (cross_entropy for classification, mse for "
        + "regression) or one of", LOSSES);
    initialization = new Param<>(uid, "initialization", "initial weights: auto (he for relu "
        + "and leaky_relu layers, xavier otherwise), xavier, he or normal(STD) with STD > 0",
        validator(SparkpropParamSet::isInit), String.class);
    precision = string(uid, "precision", "arithmetic of training: float64, or float32 "
        + "(features cached as floats, products in single precision)", PRECISIONS);
    solver = string(uid, "solver", "the optimizer: gd (full-batch gradient descent), sgd "
        + "(mini-batch), momentum, adam or lbfgs (full-batch L-BFGS)", SOLVERS);
    stepSize = new DoubleParam(uid, "stepSize", "learning rate of gd, sgd, momentum and adam "
        + "(> 0)", positive());
    batchSize = new IntParam(uid, "batchSize", "rows per mini-batch step of sgd (>= 1), "
        + "momentum and adam (0 = full batch); gd and lbfgs always use all rows",
        ParamValidators.gtEq(0.0));
    localSteps = new IntParam(uid, "localSteps", "local SGD: mini-batch steps each partition "
        + "takes on its own rows between two synchronisations, after which weights and moments "
        + "are averaged by rows (>= 1; 1 = synchronous steps; above 1 needs batchSize >= 1)",
        ParamValidators.gtEq(1.0));
    momentum = new DoubleParam(uid, "momentum", "momentum coefficient, in [0, 1)",
        ParamValidators.inRange(0.0, 1.0, true, false));
    nesterov = new BooleanParam(uid, "nesterov", "Nesterov's form of momentum");
    beta1 = new DoubleParam(uid, "beta1", "Adam's first-moment decay rate, in [0, 1)",
        ParamValidators.inRange(0.0, 1.0, true, false));
    beta2 = new DoubleParam(uid, "beta2", "Adam's second-moment decay rate, in [0, 1)",
        ParamValidators.inRange(0.0, 1.0, true, false));
    epsilon = new DoubleParam(uid, "epsilon", "Adam's epsilon (> 0)", positive());
    learningRateSchedule = string(uid, "learningRateSchedule", "the learning-rate schedule",
        SCHEDULES);
    scheduleEpochs = new IntParam(uid, "scheduleEpochs", "epochs per decay of the step and "
        + "exponential schedules (>= 1)", ParamValidators.gtEq(1.0));
    scheduleRate = new DoubleParam(uid, "scheduleRate", "decay factor of the step and "
        + "exponential schedules, in (0, 1]", ParamValidators.inRange(0.0, 1.0, false, true));
    minLearningRate = new DoubleParam(uid, "minLearningRate", "final learning rate of the "
        + "cosine schedule (>= 0, below stepSize)", nonNegative());
    warmupEpochs = new IntParam(uid, "warmupEpochs", "epochs of linear learning-rate warm-up "
        + "(>= 0, < maxIter)", ParamValidators.gtEq(0.0));
    clipNorm = new DoubleParam(uid, "clipNorm", "largest global L2 norm of a step's gradient "
        + "(>= 0; 0 = no clipping)", nonNegative());
    regParam = new DoubleParam(uid, "regParam", "L2 weight decay lambda (>= 0): lambda/2 * sum "
        + "of squared weights, biases excluded, is added to the loss", nonNegative());
    historySize = new IntParam(uid, "historySize", "L-BFGS corrections kept (>= 1)",
        ParamValidators.gtEq(1.0));
    tol = new DoubleParam(uid, "tol", "L-BFGS convergence tolerance (>= 0)", nonNegative());
    maxIter = new IntParam(uid, "maxIter", "epochs: passes over the training rows (for lbfgs "
        + "the most iterations), >= 1", ParamValidators.gtEq(1.0));
    seed = new LongParam(uid, "seed", "seed of the initial weights and the mini-batches");
    standardization = new BooleanParam(uid, "standardization", "standardise the features with "
        + "the training rows' mean and standard deviation (stored in the model)");
    standardizeLabel = new BooleanParam(uid, "standardizeLabel", "standardise a regression "
        + "label while training (predictions are in the label's own units)");
    blockSize = new IntParam(uid, "blockSize", "rows stacked into one dense block (>= 1)",
        ParamValidators.gtEq(1.0));
    aggregationDepth = new IntParam(uid, "aggregationDepth", "depth of the treeAggregate that "
        + "sums gradients (>= 1)", ParamValidators.gtEq(1.0));
    numPartitions = new IntParam(uid, "numPartitions", "partitions of the cached training "
        + "blocks (>= 0; 0 keeps the input's)", ParamValidators.gtEq(0.0));
    validationIndicatorCol = new Param<>(uid, "validationIndicatorCol", "name of a boolean "
        + "column: rows where it is true are validation data, evaluated every epoch and not "
        + "trained on", validator((String s) -> !s.isEmpty()), String.class);
    earlyStoppingPatience = new IntParam(uid, "earlyStoppingPatience", "stop when the "
        + "validation loss has not improved for this many epochs and keep the best epoch's "
        + "weights (>= 0; 0 = off; needs validationIndicatorCol)", ParamValidators.gtEq(0.0));
    earlyStoppingMinDelta = new DoubleParam(uid, "earlyStoppingMinDelta", "the smallest "
        + "decrease of the validation loss that counts as an improvement (>= 0)",
        nonNegative());
    checkpointDir = new Param<>(uid, "checkpointDir", "directory (any Hadoop file system) for "
        + "checkpoints every checkpointInterval epochs; a fit with the same params and data "
        + "resumes from the checkpoint there", validator((String s) -> !s.isEmpty()),
        String.class);
    checkpointInterval = new IntParam(uid, "checkpointInterval", "epochs between checkpoints "
        + "(>= 1); the last epoch is always checkpointed", ParamValidators.gtEq(1.0));
    initialWeights = new DoubleArrayParam(owner, "initialWeights", "warm start: the flat "
        + "parameter vector to start from (the network's layout, as a model's weights)");
  }

  /** Sets every default on {@code owner}; the values are reference.conf's. */
  void setDefaults(Params owner) {
    owner.setDefault(hiddenLayers, new int[] {32});
    owner.setDefault(hiddenActivation, "relu");
    owner.setDefault(outputActivation, "auto");
    owner.setDefault(loss, "auto");
    owner.setDefault(initialization, "auto");
    owner.setDefault(precision, "float64");
    owner.setDefault(solver, "gd");
    owner.setDefault(stepSize, 0.1);
    owner.setDefault(batchSize, 64);
    owner.setDefault(localSteps, 1);
    owner.setDefault(momentum, 0.9);
    owner.setDefault(nesterov, false);
    owner.setDefault(beta1, 0.9);
    owner.setDefault(beta2, 0.999);
    owner.setDefault(epsilon, 1e-8);
    owner.setDefault(learningRateSchedule, "constant");
    owner.setDefault(scheduleEpochs, 10);
    owner.setDefault(scheduleRate, 0.5);
    owner.setDefault(minLearningRate, 0.0);
    owner.setDefault(warmupEpochs, 0);
    owner.setDefault(clipNorm, 0.0);
    owner.setDefault(regParam, 0.0);
    owner.setDefault(historySize, 10);
    owner.setDefault(tol, 1e-6);
    owner.setDefault(maxIter, 100);
    owner.setDefault(seed, 42L);
    owner.setDefault(standardization, true);
    owner.setDefault(standardizeLabel, true);
    owner.setDefault(blockSize, 1024);
    owner.setDefault(aggregationDepth, 2);
    owner.setDefault(numPartitions, 0);
    owner.setDefault(earlyStoppingPatience, 0);
    owner.setDefault(earlyStoppingMinDelta, 0.0);
    owner.setDefault(checkpointInterval, 10);
  }

  private static Param<String> string(String uid, String name, String doc, List<String> allowed) {
    return new Param<>(uid, name, doc + ": " + String.join(", ", allowed),
        ParamValidators.inArray(allowed), String.class);
  }

  /** A finite number > 0 (Spark's {@code gt(0)} would take infinity). */
  private static Function1<Object, Object> positive() {
    return validator((Object d) -> (Double) d > 0 && Double.isFinite((Double) d));
  }

  /** A finite number >= 0. */
  private static Function1<Object, Object> nonNegative() {
    return validator((Object d) -> (Double) d >= 0 && Double.isFinite((Double) d));
  }

  /** A Java predicate as the serializable Scala function Spark's validators are. */
  private static <T> Function1<T, Object> validator(SerializablePredicate<T> test) {
    return (Function1<T, Object> & Serializable) value -> value != null && test.test(value);
  }

  private static boolean isInit(String value) {
    try {
      Init.parse(value);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  @FunctionalInterface
  interface SerializablePredicate<T> extends Serializable {
    boolean test(T value);
  }
}
