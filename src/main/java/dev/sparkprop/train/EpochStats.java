package dev.sparkprop.train;

/**
 * What one epoch did. {@code trainLoss} is the mean training loss at the parameters the epoch
 * started from (the loss whose gradient the step used, as the seed lesson prints it);
 * {@code validation} holds the validation loss and metrics after the epoch's step, or is null
 * when there is no validation data.
 */
public record EpochStats(int epoch, int epochs, double trainLoss, Metrics validation,
    double seconds, long rows) {

  /** Training rows processed per second in this epoch. */
  public double rowsPerSecond() {
    return seconds > 0 ? rows / seconds : Double.NaN;
  }

  /** The validation loss, or NaN without validation data. */
  public double validationLoss() {
    return validation == null ? Double.NaN : validation.loss();
  }
}
