package dev.sparkprop.optim;

import dev.sparkprop.nn.Checks;
import java.io.Serializable;
import java.util.Locale;
import java.util.Objects;

/**
 * A learning-rate schedule: a multiplier of the base learning rate as a function of training
 * progress, measured in epochs (fractional within an epoch of several mini-batch steps), with
 * an optional linear warm-up. Every field is kept whatever the kind, so that a spec read from
 * the configuration writes the same values back.
 *
 * <p>With {@code t} the epochs completed before a step, {@code W = warmupEpochs} and
 * {@code s = t - W} the time since warm-up ended, the learning rate of a step is
 * <ul>
 *   <li>during warm-up ({@code t < W}): {@code base * (t + 1/stepsPerEpoch) / W}, reaching
 *       {@code base} at the end of epoch W (PyTorch's {@code LinearLR} from zero, per step);</li>
 *   <li>{@code constant}: {@code base};</li>
 *   <li>{@code step}: {@code base * rate^floor(s / decayEpochs)} (PyTorch's {@code StepLR},
 *       Keras' {@code ExponentialDecay(staircase=True)});</li>
 *   <li>{@code exponential}: {@code base * rate^(s / decayEpochs)} (Keras'
 *       {@code ExponentialDecay});</li>
 *   <li>{@code cosine}: {@code min + (base - min) * (1 + cos(pi * s / (epochs - W))) / 2}, from
 *       {@code base} down to {@code minLearningRate} at the end of the run (Loshchilov &amp;
 *       Hutter 2017 without restarts; PyTorch's {@code CosineAnnealingLR}).</li>
 * </ul>
 */
public record Schedule(Kind kind, int decayEpochs, double decayRate, double minLearningRate,
    int warmupEpochs) implements Serializable {

  /** The shapes of schedule. */
  public enum Kind {
    CONSTANT, STEP, EXPONENTIAL, COSINE;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The kind named {@code id} ({@code constant}, {@code step}, ...). */
    public static Kind fromId(String id) {
      for (Kind k : values()) {
        if (k.id().equals(id)) {
          return k;
        }
      }
      throw new IllegalArgumentException("unknown schedule '" + id
          + "', expected constant, step, exponential or cosine");
    }
  }

  public Schedule {
    Objects.requireNonNull(kind, "kind");
    Checks.arg(decayEpochs >= 1, "schedule decay epochs must be >= 1, got %s", decayEpochs);
    Checks.arg(decayRate > 0 && decayRate <= 1, "schedule decay rate must be in (0, 1], got %s",
        decayRate);
    Checks.arg(minLearningRate >= 0 && Double.isFinite(minLearningRate),
        "minimum learning rate must be a finite number >= 0, got %s", minLearningRate);
    Checks.arg(warmupEpochs >= 0, "warm-up epochs must be >= 0, got %s", warmupEpochs);
  }

  /** A constant learning rate without warm-up. */
  public static Schedule constant() {
    return new Schedule(Kind.CONSTANT, 1, 1.0, 0.0, 0);
  }

  /**
   * The learning rate of one step.
   *
   * @param base the optimizer's learning rate
   * @param epochsDone epochs completed before this step, fractional: {@code epoch - 1 +
   *     step / stepsPerEpoch} for the 0-based step of a 1-based epoch
   * @param stepLength {@code 1 / stepsPerEpoch}, the progress one step makes
   * @param epochs the length of the run in epochs
   */
  public double learningRate(double base, double epochsDone, double stepLength, int epochs) {
    if (epochsDone < warmupEpochs) {
      return base * Math.min(1.0, (epochsDone + stepLength) / warmupEpochs);
    }
    double s = epochsDone - warmupEpochs;
    return switch (kind) {
      case CONSTANT -> base;
      case STEP -> base * Math.pow(decayRate, Math.floor(s / decayEpochs));
      case EXPONENTIAL -> base * Math.pow(decayRate, s / decayEpochs);
      case COSINE -> {
        double horizon = Math.max(1, epochs - warmupEpochs);
        double fraction = Math.min(1.0, s / horizon);
        yield minLearningRate + (base - minLearningRate) * 0.5 * (1 + Math.cos(Math.PI * fraction));
      }
    };
  }
}
