package dev.sparkprop.io;

import dev.sparkprop.nn.Checks;
import java.util.Arrays;
import java.util.Objects;

/**
 * Standardisation learned from the training data and saved with a model: the network sees
 * {@code (x - featureMean) / featureStd} and is trained on {@code (y - labelMean) / labelStd},
 * so a prediction is {@code output * labelStd + labelMean}. Either part may be absent (both of
 * its arrays null), meaning no scaling of that part. Arrays are copied in and out.
 */
public record Scaling(double[] featureMean, double[] featureStd, double[] labelMean,
    double[] labelStd) {
  /** No scaling at all. */
  public static final Scaling NONE = new Scaling(null, null, null, null);

  public Scaling {
    featureMean = checked("feature", featureMean, featureStd, true);
    featureStd = checked("feature", featureStd, featureMean, false);
    labelMean = checked("label", labelMean, labelStd, true);
    labelStd = checked("label", labelStd, labelMean, false);
  }

  /** Scaling of the features only. */
  public static Scaling ofFeatures(double[] mean, double[] std) {
    return new Scaling(mean, std, null, null);
  }

  public boolean scalesFeatures() {
    return featureMean != null;
  }

  public boolean scalesLabels() {
    return labelMean != null;
  }

  @Override
  public double[] featureMean() {
    return copy(featureMean);
  }

  @Override
  public double[] featureStd() {
    return copy(featureStd);
  }

  @Override
  public double[] labelMean() {
    return copy(labelMean);
  }

  @Override
  public double[] labelStd() {
    return copy(labelStd);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Scaling s && Arrays.equals(featureMean, s.featureMean)
        && Arrays.equals(featureStd, s.featureStd) && Arrays.equals(labelMean, s.labelMean)
        && Arrays.equals(labelStd, s.labelStd);
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(featureMean), Arrays.hashCode(featureStd),
        Arrays.hashCode(labelMean), Arrays.hashCode(labelStd));
  }

  @Override
  public String toString() {
    return "Scaling[features=" + (featureMean == null ? "none" : featureMean.length)
        + ", labels=" + (labelMean == null ? "none" : labelMean.length) + "]";
  }

  /** A copy of {@code values} after checking it against its partner array (mean vs std). */
  private static double[] checked(String part, double[] values, double[] partner, boolean mean) {
    Checks.arg((values == null) == (partner == null),
        "%s scaling needs both mean and std, or neither", part);
    if (values == null) {
      return null;
    }
    Checks.arg(values.length > 0, "%s scaling is empty", part);
    Checks.arg(values.length == partner.length, "%s scaling has %s means but %s stds", part,
        mean ? values.length : partner.length, mean ? partner.length : values.length);
    for (int i = 0; i < values.length; i++) {
      double v = values[i];
      if (mean) {
        Checks.arg(Double.isFinite(v), "%s mean %s is %s, must be finite", part, i, v);
      } else {
        Checks.arg(v > 0 && Double.isFinite(v), "%s std %s is %s, must be finite and > 0", part,
            i, v);
      }
    }
    return values.clone();
  }

  private static double[] copy(double[] values) {
    return values == null ? null : values.clone();
  }
}
