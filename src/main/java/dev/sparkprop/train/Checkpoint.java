package dev.sparkprop.train;

import dev.sparkprop.nn.Checks;
import dev.sparkprop.optim.OptimizerState;
import java.util.List;
import java.util.Objects;

/**
 * Everything a {@link Trainer} needs to continue a run after {@code epoch} epochs exactly as if
 * it had not stopped: the parameters, the optimizer's state, the early-stopping monitor, the
 * history so far, and the run's seed (the mini-batches of an epoch depend only on the seed and
 * the epoch number, so that is the whole random state).
 *
 * @param stopReason why the run stopped before its last epoch (early stopping, L-BFGS
 *     convergence), or null: a checkpoint taken on the way or after the last epoch, from which a
 *     run with more epochs can go on
 */
public record Checkpoint(long seed, int epoch, double[] params, OptimizerState.Snapshot optimizer,
    EarlyStopping.Best best, List<EpochStats> history, String stopReason) {
  public Checkpoint {
    Checks.arg(epoch >= 0, "checkpoint epoch must be >= 0, got %s", epoch);
    params = Objects.requireNonNull(params, "params").clone();
    Objects.requireNonNull(optimizer, "optimizer");
    Objects.requireNonNull(best, "best");
    history = List.copyOf(history);
    Checks.arg(history.size() == epoch, "checkpoint of epoch %s holds %s epochs of history",
        epoch, history.size());
  }

  @Override
  public double[] params() {
    return params.clone();
  }

  /** Whether the run stopped early (early stopping or convergence): nothing is left to do. */
  public boolean finished() {
    return stopReason != null;
  }
}
