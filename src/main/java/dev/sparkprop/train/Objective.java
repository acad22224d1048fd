package dev.sparkprop.train;

/**
 * The training loop's only view of the data: the mean loss and mean gradient of the whole data
 * set at a parameter vector. One implementation runs in this JVM ({@link LocalObjective}), one
 * on Spark ({@code dev.sparkprop.spark.SparkObjective}); the loop cannot tell them apart.
 */
public interface Objective {
  /** Number of data rows N that the means are taken over. */
  long numRows();

  /**
   * Overwrites {@code gradient} with {@code (1/N) sum_n dLoss_n/dparams} at {@code params} and
   * returns {@code (1/N) sum_n Loss_n}. {@code params} is not modified.
   */
  double lossAndGradient(double[] params, double[] gradient);

  /** The mean loss at {@code params}, without a gradient. */
  double loss(double[] params);

  /** Loss and prediction metrics at {@code params}, in one pass over the data. */
  Metrics evaluate(double[] params, Metrics.Spec spec);
}
