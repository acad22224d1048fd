package dev.sparkprop.spark;

import dev.sparkprop.nn.Activation;
import dev.sparkprop.nn.Checks;
import dev.sparkprop.nn.Init;
import dev.sparkprop.nn.Loss;
import dev.sparkprop.nn.Precision;
import dev.sparkprop.optim.FirstOrderSpec;
import dev.sparkprop.optim.OptimizerSpec;
import dev.sparkprop.train.EarlyStopping;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What {@link Training} trains, typed and checked: which columns, how the data is prepared and
 * split, the network, the optimizer and the engine settings. The command line builds one from
 * its configuration ({@code reference.conf} holds the defaults), the Spark ML Estimators from
 * their Params; neither adds a training step of its own.
 *
 * @param features {@code ["*"]} for every column but the label, one column (an ml Vector, an
 *     array, or a single numeric column), or several numeric columns
 * @param label the label column; for a label of several columns the first of them
 * @param task what the label is; {@link Task#AUTO} decides from its type and values
 * @param standardizeLabel whether a regression label is standardised (ignored for classes)
 * @param testFraction rows held out by the seeded split and evaluated once at the end, in [0, 1)
 * @param validationFraction rows held out by the seeded split and evaluated every epoch
 * @param hidden hidden layer sizes, each >= 1
 * @param outputActivation null for auto: softmax for classes, identity for regression
 * @param loss null for auto: cross-entropy with softmax, binary cross-entropy with sigmoid,
 *     else mean squared error
 * @param epochs passes over the training rows (L-BFGS: iterations at most), >= 1
 * @param checkpointEvery epochs between checkpoints when a checkpoint sink is given, >= 1
 * @param blockSize rows per cached dense block, >= 1
 * @param aggregationDepth depth of the treeAggregate summing gradients, >= 1
 * @param partitions partitions of the cached training blocks; 0 keeps the input's
 * @param numClasses classes of a classification label, when known beforehand (Spark ML
 *     attribute metadata); 0 to count them in the data
 * @param everyClassPresent whether a class without training rows is an error (the command
 *     line's rule); Spark ML's estimators accept it, as a cross-validation fold may miss a class
 * @param labelColumns {@code [label]}, or several numeric columns, {@code label} first: a
 *     multi-output regression label, one output per column; null is read as {@code [label]}
 */
public record FitSpec(
    List<String> features,
    String label,
    Task task,
    boolean standardizeFeatures,
    boolean standardizeLabel,
    double testFraction,
    double validationFraction,
    List<Integer> hidden,
    Activation hiddenActivation,
    Activation outputActivation,
    Loss loss,
    Init init,
    Precision precision,
    OptimizerSpec optimizer,
    int epochs,
    long seed,
    EarlyStopping earlyStopping,
    int checkpointEvery,
    int blockSize,
    int aggregationDepth,
    int partitions,
    int numClasses,
    boolean everyClassPresent,
    List<String> labelColumns) implements Serializable {

  /** What the label is. */
  public enum Task {
    AUTO, CLASSIFICATION, REGRESSION;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The task named {@code id} ({@code auto}, {@code classification}, {@code regression}). */
    public static Task fromId(String id) {
      for (Task t : values()) {
        if (t.id().equals(id)) {
          return t;
        }
      }
      throw new IllegalArgumentException("task must be auto, classification or regression, got '"
          + id + "'");
    }
  }

  public FitSpec {
    features = List.copyOf(features);
    Checks.arg(!features.isEmpty(), "no feature columns given");
    Objects.requireNonNull(label, "label");
    Checks.arg(!label.isBlank(), "label must name a column, got '%s'", label);
    Objects.requireNonNull(task, "task");
    Checks.arg(testFraction >= 0 && testFraction < 1, "test fraction must be in [0, 1), got %s",
        testFraction);
    Checks.arg(validationFraction >= 0 && validationFraction < 1,
        "validation fraction must be in [0, 1), got %s", validationFraction);
    // A margin for rounding: 0.7 + 0.3 is 0.9999999999999999 and would leave no training rows.
    Checks.arg(testFraction + validationFraction < 1 - 1e-9,
        "test and validation fractions must add up to less than 1, got %s + %s", testFraction,
        validationFraction);
    hidden = List.copyOf(hidden);
    Checks.arg(hidden.stream().allMatch(size -> size >= 1),
        "hidden layer sizes must be >= 1, got %s", hidden);
    Objects.requireNonNull(hiddenActivation, "hiddenActivation");
    Checks.arg(hiddenActivation != Activation.SOFTMAX,
        "softmax is an output activation, not a hidden one");
    Objects.requireNonNull(init, "init");
    Objects.requireNonNull(precision, "precision");
    Objects.requireNonNull(optimizer, "optimizer");
    Checks.arg(epochs >= 1, "epochs must be >= 1, got %s", epochs);
    Checks.arg(!(optimizer instanceof FirstOrderSpec f)
            || f.steps().schedule().warmupEpochs() < epochs,
        "warm-up epochs must be fewer than the epochs (%s)", epochs);
    Objects.requireNonNull(earlyStopping, "earlyStopping");
    Checks.arg(checkpointEvery >= 1, "checkpoint interval must be >= 1 epoch, got %s",
        checkpointEvery);
    Checks.arg(blockSize >= 1, "block size must be >= 1, got %s", blockSize);
    Checks.arg(aggregationDepth >= 1, "aggregation depth must be >= 1, got %s",
        aggregationDepth);
    Checks.arg(partitions >= 0, "partitions must be >= 0 (0 keeps the input's), got %s",
        partitions);
    Checks.arg(numClasses == 0 || numClasses >= 2,
        "a classification label needs at least 2 classes, got %s", numClasses);
    labelColumns = labelColumns == null ? List.of(label) : List.copyOf(labelColumns);
    Checks.arg(!labelColumns.isEmpty() && labelColumns.get(0).equals(label),
        "label columns %s must start with the label '%s'", labelColumns, label);
  }

  /** Settings with a label of one column. */
  public FitSpec(List<String> features, String label, Task task, boolean standardizeFeatures,
      boolean standardizeLabel, double testFraction, double validationFraction,
      List<Integer> hidden, Activation hiddenActivation, Activation outputActivation, Loss loss,
      Init init, Precision precision, OptimizerSpec optimizer, int epochs, long seed,
      EarlyStopping earlyStopping, int checkpointEvery, int blockSize, int aggregationDepth,
      int partitions, int numClasses, boolean everyClassPresent) {
    this(features, label, task, standardizeFeatures, standardizeLabel, testFraction,
        validationFraction, hidden, hiddenActivation, outputActivation, loss, init, precision,
        optimizer, epochs, seed, earlyStopping, checkpointEvery, blockSize, aggregationDepth,
        partitions, numClasses, everyClassPresent, null);
  }

  /** The held-out split: seed and fractions. */
  public BlockStacker.SplitSpec split() {
    return new BlockStacker.SplitSpec(seed, validationFraction, testFraction);
  }
}
