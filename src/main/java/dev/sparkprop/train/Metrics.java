package dev.sparkprop.train;

import dev.sparkprop.nn.Checks;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Mergeable sums for prediction metrics over blocks of network outputs: the mean loss always;
 * accuracy, log-loss, per-class precision/recall and the confusion matrix for classification;
 * RMSE, MAE and R² (per output, then averaged) for regression, in the label's original units.
 */
public final class Metrics implements Serializable {
  private static final long serialVersionUID = 1L;

  /** What to measure: classification with K classes, or regression with label scaling. */
  public record Spec(boolean classification, int width, double[] labelMean, double[] labelStd)
      implements Serializable {
    public static Spec classification(int classes) {
      return new Spec(true, classes, null, null);
    }

    public static Spec regression(int outputs, double[] labelMean, double[] labelStd) {
      return new Spec(false, outputs, labelMean, labelStd);
    }

    public Metrics newMetrics() {
      return new Metrics(this);
    }
  }

  private final Spec spec;
  private long rows;
  private double lossSum;
  // classification
  private final long[] confusion; // [actual * K + predicted]
  private double logLossSum;
  // regression, per output
  private final double[] absSum;
  private final double[] sqSum;
  private final double[] ySum;
  private final double[] ySqSum;

  private Metrics(Spec spec) {
    this.spec = spec;
    int w = spec.width;
    confusion = spec.classification ? new long[w * w] : null;
    absSum = spec.classification ? null : new double[w];
    sqSum = spec.classification ? null : new double[w];
    ySum = spec.classification ? null : new double[w];
    ySqSum = spec.classification ? null : new double[w];
  }

  public Spec spec() {
    return spec;
  }

  /**
   * Adds {@code rows} rows: {@code outputs} is the network's output ({@code width x rows},
   * column-major: probabilities or scaled predictions), {@code targets} the block's targets
   * (class index, one-hot, or scaled values), {@code lossSum} their summed loss.
   */
  public void add(double[] outputs, double[] targets, int targetWidth, int rows, double lossSum) {
    int w = spec.width;
    this.rows += rows;
    this.lossSum += lossSum;
    for (int r = 0; r < rows; r++) {
      int o = r * w;
      if (spec.classification) {
        int actual = targetWidth == 1 ? (int) targets[r] : argmax(targets, r * targetWidth, w);
        int predicted = argmax(outputs, o, w);
        confusion[actual * w + predicted]++;
        logLossSum -= Math.log(Math.max(outputs[o + actual], 1e-15));
      } else {
        for (int k = 0; k < w; k++) {
          double p = outputs[o + k];
          double y = targets[r * targetWidth + k];
          if (spec.labelMean != null) {
            p = p * spec.labelStd[k] + spec.labelMean[k];
            y = y * spec.labelStd[k] + spec.labelMean[k];
          }
          double d = p - y;
          absSum[k] += Math.abs(d);
          sqSum[k] += d * d;
          ySum[k] += y;
          ySqSum[k] += y * y;
        }
      }
    }
  }

  /** Adds {@code other}'s sums into this one and returns this. */
  public Metrics merge(Metrics other) {
    Checks.arg(other.spec.classification == spec.classification && other.spec.width == spec.width,
        "cannot merge metrics of different kinds");
    rows += other.rows;
    lossSum += other.lossSum;
    if (spec.classification) {
      for (int i = 0; i < confusion.length; i++) {
        confusion[i] += other.confusion[i];
      }
      logLossSum += other.logLossSum;
    } else {
      for (int k = 0; k < spec.width; k++) {
        absSum[k] += other.absSum[k];
        sqSum[k] += other.sqSum[k];
        ySum[k] += other.ySum[k];
        ySqSum[k] += other.ySqSum[k];
      }
    }
    return this;
  }

  public long rows() {
    return rows;
  }

  /** Mean of the training objective's per-row loss. */
  public double loss() {
    return lossSum / rows;
  }

  public boolean isClassification() {
    return spec.classification;
  }

  public double accuracy() {
    long correct = 0;
    for (int k = 0; k < spec.width; k++) {
      correct += confusion[k * spec.width + k];
    }
    return (double) correct / rows;
  }

  /** Mean negative log-probability of the true class (probabilities floored at 1e-15). */
  public double logLoss() {
    return logLossSum / rows;
  }

  /** confusion[actual][predicted]. */
  public long[][] confusionMatrix() {
    int k = spec.width;
    long[][] m = new long[k][k];
    for (int a = 0; a < k; a++) {
      System.arraycopy(confusion, a * k, m[a], 0, k);
    }
    return m;
  }

  /** Precision of class k (NaN if never predicted). */
  public double precision(int k) {
    long predicted = 0;
    for (int a = 0; a < spec.width; a++) {
      predicted += confusion[a * spec.width + k];
    }
    return predicted == 0 ? Double.NaN : (double) confusion[k * spec.width + k] / predicted;
  }

  /** Recall of class k (NaN if absent). */
  public double recall(int k) {
    long actual = 0;
    for (int p = 0; p < spec.width; p++) {
      actual += confusion[k * spec.width + p];
    }
    return actual == 0 ? Double.NaN : (double) confusion[k * spec.width + k] / actual;
  }

  /** Root mean squared error, averaged over outputs. */
  public double rmse() {
    double s = 0;
    for (int k = 0; k < spec.width; k++) {
      s += Math.sqrt(sqSum[k] / rows);
    }
    return s / spec.width;
  }

  /** Mean absolute error, averaged over outputs. */
  public double mae() {
    double s = 0;
    for (int k = 0; k < spec.width; k++) {
      s += absSum[k] / rows;
    }
    return s / spec.width;
  }

  /** Coefficient of determination 1 - SSE/SST, averaged over outputs. */
  public double r2() {
    double s = 0;
    for (int k = 0; k < spec.width; k++) {
      double mean = ySum[k] / rows;
      double sst = ySqSum[k] - rows * mean * mean;
      s += 1.0 - sqSum[k] / sst;
    }
    return s / spec.width;
  }

  /** The headline metric's name: accuracy or rmse. */
  public String headlineName() {
    return spec.classification ? "accuracy" : "rmse";
  }

  public double headline() {
    return spec.classification ? accuracy() : rmse();
  }

  /** The summary metrics by name, in display order. */
  public Map<String, Double> summary() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("rows", (double) rows);
    m.put("loss", loss());
    if (spec.classification) {
      m.put("accuracy", accuracy());
      m.put("log_loss", logLoss());
    } else {
      m.put("rmse", rmse());
      m.put("mae", mae());
      m.put("r2", r2());
    }
    return m;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    summary().forEach((k, v) -> sb.append(sb.length() == 0 ? "" : " ").append(k).append('=')
        .append(k.equals("rows") ? String.valueOf(v.longValue())
            : String.format(Locale.ROOT, "%.6g", v)));
    return sb.toString();
  }

  private static int argmax(double[] v, int off, int n) {
    int best = 0;
    for (int k = 1; k < n; k++) {
      if (v[off + k] > v[off + best]) {
        best = k;
      }
    }
    return best;
  }
}
