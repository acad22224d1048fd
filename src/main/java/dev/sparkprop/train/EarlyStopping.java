package dev.sparkprop.train;

import dev.sparkprop.nn.Checks;

/**
 * Stop when the validation loss has not improved for {@code patience} epochs, and keep the
 * weights of the best epoch (Keras' {@code EarlyStopping(restore_best_weights=True)}). An epoch
 * improves when its loss is below the best so far minus {@code minDelta}.
 *
 * @param patience epochs without improvement before stopping, >= 1; 0 turns early stopping off
 * @param minDelta the smallest decrease that counts as an improvement, >= 0
 */
public record EarlyStopping(int patience, double minDelta) {
  /** No early stopping. */
  public static final EarlyStopping OFF = new EarlyStopping(0, 0.0);

  public EarlyStopping {
    Checks.arg(patience >= 0, "early stopping patience must be >= 0 (0 for off), got %s",
        patience);
    Checks.arg(minDelta >= 0 && Double.isFinite(minDelta),
        "early stopping min-delta must be a finite number >= 0, got %s", minDelta);
  }

  public boolean enabled() {
    return patience > 0;
  }

  /**
   * The monitor's state after an epoch: the best epoch so far (0 before the first), its loss
   * and parameters, and the epochs since it ({@code sinceBest}).
   */
  public record Best(int epoch, double loss, double[] params, int sinceBest) {
    public Best {
      params = params == null ? null : params.clone();
    }

    static Best none() {
      return new Best(0, Double.POSITIVE_INFINITY, null, 0);
    }

    @Override
    public double[] params() {
      return params == null ? null : params.clone();
    }
  }

  /** The monitor's next state after {@code epoch} ended with validation loss {@code loss}. */
  Best update(Best best, int epoch, double loss, double[] params) {
    if (loss < best.loss() - minDelta) {
      return new Best(epoch, loss, params, 0);
    }
    return new Best(best.epoch(), best.loss(), best.params, best.sinceBest() + 1);
  }

  /** Whether the monitor in state {@code best} stops training. */
  boolean stops(Best best) {
    return enabled() && best.sinceBest() >= patience;
  }
}
