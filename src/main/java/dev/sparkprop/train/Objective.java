package dev.sparkprop.train;

/**
 * The training loop's only view of the data: the mean loss and mean gradient of the whole data
 * set, or of one mini-batch, at a parameter vector. One implementation runs in this JVM
 * ({@link LocalObjective}), one on Spark ({@code dev.sparkprop.spark.SparkObjective}); the loop
 * cannot tell them apart.
 */
public interface Objective {
  /** Number of data rows N that the full-data means are taken over. */
  long numRows();

  /**
   * Overwrites {@code gradient} with {@code (1/N) sum_n dLoss_n/dparams} at {@code params} and
   * returns {@code (1/N) sum_n Loss_n}. {@code params} is not modified.
   */
  double lossAndGradient(double[] params, double[] gradient);

  /**
   * The same over the rows of {@code batch} only: overwrites {@code gradient} with the mean
   * gradient over the batch's rows and returns their mean loss and their number (gradient and
   * loss 0 for an empty batch).
   */
  BatchLoss lossAndGradient(double[] params, Batch batch, double[] gradient);

  /**
   * One round of local SGD from {@code params} and {@code state} (neither modified): every
   * replica (partition) takes the round's steps on its own rows, {@link LocalSgd#replica}; the
   * replicas' weighted sums, merged in partition order.
   *
   * @throws UnsupportedOperationException if this objective does not run local SGD
   */
  default LocalSgd.Sum localRound(double[] params, dev.sparkprop.optim.OptimizerState.Snapshot
      state, LocalSgd.Round round) {
    throw new UnsupportedOperationException(getClass().getSimpleName()
        + " does not run local SGD");
  }

  /** The mean loss at {@code params}, without a gradient. */
  double loss(double[] params);

  /** Loss and prediction metrics at {@code params}, in one pass over the data. */
  Metrics evaluate(double[] params, Metrics.Spec spec);

  /** The mean loss over a mini-batch and the number of rows it held. */
  record BatchLoss(double loss, long rows) {}
}
