package dev.sparkprop.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one epoch did.
 *
 * @param steps optimizer steps taken (mini-batches that held rows; 1 for full batch and L-BFGS)
 * @param learningRate the learning rate of the epoch's last step (NaN for L-BFGS)
 * @param trainLoss the mean training loss over the epoch's steps, each at the parameters before
 *     its step, weighted by the step's rows: for full-batch steps the loss at the parameters the
 *     epoch started from (as the seed lesson prints it). The data loss, without the weight-decay
 *     penalty.
 * @param validation the validation loss and metrics after the epoch ({@link Metrics#summary()}),
 *     empty without validation data
 * @param rows training rows processed (rows of all steps, or of all function evaluations)
 */
public record EpochStats(int epoch, int epochs, int steps, double learningRate,
    double trainLoss, Map<String, Double> validation, double seconds, long rows) {

  public EpochStats {
    validation = validation == null ? Map.of()
        : Collections.unmodifiableMap(new LinkedHashMap<>(validation));
  }

  /** Training rows processed per second in this epoch. */
  public double rowsPerSecond() {
    return seconds > 0 ? rows / seconds : Double.NaN;
  }

  public boolean hasValidation() {
    return !validation.isEmpty();
  }

  /** The validation loss, or NaN without validation data. */
  public double validationLoss() {
    return validation.getOrDefault("loss", Double.NaN);
  }

  /** The headline validation metric's name: accuracy (classification) or rmse. */
  public String validationHeadlineName() {
    return validation.containsKey("accuracy") ? "accuracy" : "rmse";
  }

  /** The headline validation metric, or NaN without validation data. */
  public double validationHeadline() {
    return validation.getOrDefault(validationHeadlineName(), Double.NaN);
  }
}
