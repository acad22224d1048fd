package dev.sparkprop.optim;

import dev.sparkprop.nn.Checks;
import java.io.Serializable;
import java.util.Objects;

/**
 * How a first-order optimizer takes its steps, whatever its update rule.
 *
 * @param learningRate the base step size, > 0
 * @param schedule how the step size moves over the run
 * @param batchSize rows per mini-batch step, summed over the whole cluster; 0 for full-batch
 *     steps (one per epoch over all training rows)
 * @param clipNorm the largest global L2 norm of a step's gradient: a larger one is scaled down
 *     to it (Pascanu et al. 2013; PyTorch's {@code clip_grad_norm_}); 0 for no clipping
 * @param weightDecay the L2 penalty coefficient lambda: {@code lambda/2 * sum W^2} over the
 *     weight matrices (biases excluded) is added to the loss, {@code lambda * W} to the gradient
 *     after clipping (PyTorch's {@code weight_decay}); 0 for none
 * @param localSteps mini-batch steps each partition takes on its own rows between two
 *     synchronisations (local SGD: Lin et al. 2018, DL4J's parameter averaging); 1 for
 *     synchronous steps on the whole cluster's batch. Above 1 it needs mini-batches.
 */
public record StepSpec(double learningRate, Schedule schedule, int batchSize, double clipNorm,
    double weightDecay, int localSteps) implements Serializable {

  public StepSpec {
    Checks.arg(learningRate > 0 && Double.isFinite(learningRate),
        "learning rate must be a finite number > 0, got %s", learningRate);
    Objects.requireNonNull(schedule, "schedule");
    Checks.arg(schedule.kind() != Schedule.Kind.COSINE
            || schedule.minLearningRate() < learningRate,
        "the cosine schedule's minimum learning rate %s must be below the learning rate %s",
        schedule.minLearningRate(), learningRate);
    Checks.arg(batchSize >= 0, "batch size must be >= 0 (0 for full batch), got %s", batchSize);
    Checks.arg(clipNorm >= 0 && Double.isFinite(clipNorm),
        "clip norm must be a finite number >= 0 (0 for none), got %s", clipNorm);
    Checks.arg(weightDecay >= 0 && Double.isFinite(weightDecay),
        "weight decay must be a finite number >= 0, got %s", weightDecay);
    Checks.arg(localSteps >= 1, "local steps must be >= 1, got %s", localSteps);
    Checks.arg(localSteps == 1 || batchSize > 0,
        "local steps (%s) need mini-batches: set a batch size > 0", localSteps);
  }

  /** Synchronous steps (local steps 1). */
  public StepSpec(double learningRate, Schedule schedule, int batchSize, double clipNorm,
      double weightDecay) {
    this(learningRate, schedule, batchSize, clipNorm, weightDecay, 1);
  }

  /** Full-batch steps at a constant learning rate, without clipping or decay. */
  public static StepSpec plain(double learningRate) {
    return new StepSpec(learningRate, Schedule.constant(), 0, 0.0, 0.0);
  }

  /** This spec with another batch size. */
  public StepSpec withBatchSize(int size) {
    return new StepSpec(learningRate, schedule, size, clipNorm, weightDecay, localSteps);
  }

  /** This spec with {@code k} local steps between synchronisations. */
  public StepSpec withLocalSteps(int k) {
    return new StepSpec(learningRate, schedule, batchSize, clipNorm, weightDecay, k);
  }

  /** The learning rate of a step; see {@link Schedule#learningRate}. */
  public double learningRate(double epochsDone, double stepLength, int epochs) {
    return schedule.learningRate(learningRate, epochsDone, stepLength, epochs);
  }

  /**
   * Scales {@code gradient} in place so that its L2 norm is at most {@link #clipNorm} (no-op
   * when clipping is off) and returns its norm before scaling.
   */
  public double clip(double[] gradient) {
    double sum = 0;
    for (double g : gradient) {
      sum += g * g;
    }
    double norm = Math.sqrt(sum);
    if (clipNorm > 0 && norm > clipNorm) {
      double scale = clipNorm / norm;
      for (int i = 0; i < gradient.length; i++) {
        gradient[i] *= scale;
      }
    }
    return norm;
  }
}
