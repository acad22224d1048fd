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

  /**
   * The steps of one epoch of mini-batches ({@code count} batches dealt by {@code seed}), in
   * order, then {@link EpochSteps#close}. The default takes each step and round through this
   * objective's own methods; an objective may instead hold something open for the epoch (the
   * Spark objective: one job whose tasks stay with their rows for all the epoch's steps). No
   * other call on this objective may come between opening and closing.
   */
  default EpochSteps openEpoch(long seed, int count) {
    return new EpochSteps() {
      @Override
      public BatchLoss lossAndGradient(double[] params, int batch, double[] gradient) {
        return Objective.this.lossAndGradient(params, new Batch(seed, batch, count), gradient);
      }

      @Override
      public LocalSgd.Sum localRound(double[] params,
          dev.sparkprop.optim.OptimizerState.Snapshot state, LocalSgd.Round round) {
        return Objective.this.localRound(params, state, round);
      }

      @Override
      public void close() {}
    };
  }

  /** One epoch's steps, opened by {@link #openEpoch}. */
  interface EpochSteps extends AutoCloseable {
    /** {@link Objective#lossAndGradient(double[], Batch, double[])} for batch {@code batch}. */
    BatchLoss lossAndGradient(double[] params, int batch, double[] gradient);

    /** {@link Objective#localRound}, a round of this epoch. */
    LocalSgd.Sum localRound(double[] params, dev.sparkprop.optim.OptimizerState.Snapshot state,
        LocalSgd.Round round);

    /** Ends the epoch's steps (also after a failed step). */
    @Override
    void close();
  }

  /** The mean loss at {@code params}, without a gradient. */
  double loss(double[] params);

  /** Loss and prediction metrics at {@code params}, in one pass over the data. */
  Metrics evaluate(double[] params, Metrics.Spec spec);

  /** The mean loss over a mini-batch and the number of rows it held. */
  record BatchLoss(double loss, long rows) {}
}
