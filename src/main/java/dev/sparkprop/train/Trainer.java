package dev.sparkprop.train;

import dev.sparkprop.nn.Checks;
import dev.sparkprop.optim.OptimizerSpec;
import dev.sparkprop.optim.OptimizerState;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The engine-agnostic training loop: each epoch asks the {@link Objective} for the mean loss
 * and gradient at the current parameters and lets the optimizer take one full-batch step.
 */
public final class Trainer {
  /** Called after every epoch, on the driver. */
  @FunctionalInterface
  public interface Listener {
    void onEpoch(EpochStats stats);
  }

  /** Held-out data and what to measure on it. */
  public record Validation(Objective data, Metrics.Spec spec) {}

  /** Final parameters and the per-epoch history. */
  public record Result(double[] params, List<EpochStats> history) {}

  private final OptimizerSpec optimizer;
  private final int epochs;

  public Trainer(OptimizerSpec optimizer, int epochs) {
    this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
    Checks.arg(epochs > 0, "epochs must be > 0, got %s", epochs);
    this.epochs = epochs;
  }

  /**
   * Trains from {@code initialParams} (not modified) and returns the result.
   *
   * @param validation held-out data evaluated after every epoch, or null
   * @throws NonFiniteLossException if a loss or gradient stops being finite
   */
  public Result fit(Objective train, Validation validation, double[] initialParams,
      Listener listener) {
    double[] params = initialParams.clone();
    double[] gradient = new double[params.length];
    OptimizerState state = optimizer.newState(params.length);
    List<EpochStats> history = new ArrayList<>();
    for (int epoch = 1; epoch <= epochs; epoch++) {
      long start = System.nanoTime();
      double loss = train.lossAndGradient(params, gradient);
      checkFinite(loss, gradient, epoch);
      state.step(params, gradient);
      double seconds = (System.nanoTime() - start) / 1e9;
      Metrics metrics = validation == null ? null
          : validation.data().evaluate(params, validation.spec());
      EpochStats stats = new EpochStats(epoch, epochs, loss, metrics, seconds, train.numRows());
      history.add(stats);
      if (listener != null) {
        listener.onEpoch(stats);
      }
    }
    return new Result(params, List.copyOf(history));
  }

  private static void checkFinite(double loss, double[] gradient, int epoch) {
    if (!Double.isFinite(loss)) {
      throw new NonFiniteLossException("training loss became " + loss + " at epoch " + epoch
          + "; lower the learning rate or check the input for extreme values");
    }
    for (double g : gradient) {
      if (!Double.isFinite(g)) {
        throw new NonFiniteLossException("gradient became non-finite at epoch " + epoch
            + "; lower the learning rate or check the input for extreme values");
      }
    }
  }
}
