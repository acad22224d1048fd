package dev.sparkprop.spark;

import dev.sparkprop.io.InputMapping;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * One distributed pass over canonical input rows ({@link InputMapping#FEATURES} and, if
 * labelled, {@link InputMapping#LABEL}) that checks every value (null, NaN, infinity, width,
 * class range) and counts rows per partition, so that later passes know each row's global
 * index. Problems are reported as one line with their count and the first offending row.
 */
public final class DataScan implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Rows in each input partition, in partition order. */
  public final long[] partitionRows;
  public final int featureWidth;
  /** Values per label (0 without label). For classes: 1. */
  public final int labelWidth;
  /** For classification: rows per class (length K); else null. */
  public final long[] classCounts;

  private DataScan(long[] partitionRows, int featureWidth, int labelWidth, long[] classCounts) {
    this.partitionRows = partitionRows;
    this.featureWidth = featureWidth;
    this.labelWidth = labelWidth;
    this.classCounts = classCounts;
  }

  public long rows() {
    long n = 0;
    for (long r : partitionRows) {
      n += r;
    }
    return n;
  }

  /** Global index of each partition's first row. */
  public long[] offsets() {
    long[] off = new long[partitionRows.length];
    for (int p = 1; p < off.length; p++) {
      off[p] = off[p - 1] + partitionRows[p - 1];
    }
    return off;
  }

  /** What one partition saw. */
  private static final class PartitionResult implements Serializable {
    private static final long serialVersionUID = 1L;
    int partition;
    long rows;
    long problems;
    long firstProblemRow = -1;
    String firstProblem;
    long[] classCounts = new long[0];
  }

  /**
   * Scans {@code canonical}.
   *
   * @param featureWidth expected features per row, or -1 to take the first row's width
   * @param numClasses for classification with a known class count (a model's), else 0
   * @throws IllegalArgumentException if the input is empty or any value is unusable
   */
  public static DataScan scan(Dataset<Row> canonical, InputMapping mapping, boolean withLabel,
      int featureWidth, int numClasses) {
    List<String> names = mapping.featureKind() == InputMapping.FeatureKind.NUMERIC_COLUMNS
        ? mapping.featureColumns() : null;
    Dataset<Row> cols = withLabel
        ? canonical.select(InputMapping.FEATURES, InputMapping.LABEL)
        : canonical.select(InputMapping.FEATURES);
    int width = featureWidth > 0 ? featureWidth : firstWidth(cols, 0, "features");
    final boolean classes = withLabel && mapping.isClassification();
    final boolean multi = withLabel
        && mapping.labelKind() == InputMapping.LabelKind.VALUES;
    int labelWidth = !withLabel ? 0 : multi ? firstWidth(cols, 1, "label") : 1;
    final String labelName = withLabel ? mapping.labelColumn() : null;
    final boolean named = mapping.labelKind() == InputMapping.LabelKind.CLASS_NAME;
    JavaRDD<Row> rows = cols.javaRDD();
    List<PartitionResult> parts = rows.mapPartitionsWithIndex((p, it) -> {
      PartitionResult r = new PartitionResult();
      r.partition = p;
      double[] x = new double[width];
      double[] y = new double[Math.max(1, labelWidth)];
      while (it.hasNext()) {
        Row row = it.next();
        String problem = RowValues.readVector(row.get(0), x, 0, width, "features", names);
        if (problem == null && labelWidth > 0) {
          problem = RowValues.readVector(row.get(1), y, 0, labelWidth,
              "label '" + labelName + "'", null);
          if (problem == null && classes) {
            problem = classProblem(y[0], numClasses, named, labelName);
            if (problem == null) {
              int k = (int) y[0];
              if (k >= r.classCounts.length) {
                r.classCounts = java.util.Arrays.copyOf(r.classCounts, k + 1);
              }
              r.classCounts[k]++;
            }
          }
        }
        if (problem != null) {
          if (r.problems == 0) {
            r.firstProblemRow = r.rows;
            r.firstProblem = problem;
          }
          r.problems++;
        }
        r.rows++;
      }
      return Collections.singletonList(r).iterator();
    }, true).collect();

    List<PartitionResult> sorted = new ArrayList<>(parts);
    sorted.sort((a, b) -> Integer.compare(a.partition, b.partition));
    long[] partitionRows = new long[sorted.size()];
    long total = 0;
    long problems = 0;
    String first = null;
    long firstRow = -1;
    long[] counts = new long[Math.max(numClasses, 0)];
    for (int p = 0; p < sorted.size(); p++) {
      PartitionResult r = sorted.get(p);
      partitionRows[p] = r.rows;
      if (r.problems > 0 && first == null) {
        first = r.firstProblem;
        firstRow = total + r.firstProblemRow;
      }
      problems += r.problems;
      total += r.rows;
      if (r.classCounts.length > counts.length) {
        counts = java.util.Arrays.copyOf(counts, r.classCounts.length);
      }
      for (int k = 0; k < r.classCounts.length; k++) {
        counts[k] += r.classCounts[k];
      }
    }
    if (total == 0) {
      throw new IllegalArgumentException("the input has no rows");
    }
    if (problems > 0) {
      throw new IllegalArgumentException(problems + " of " + total + " input rows cannot be used;"
          + " the first is row " + firstRow + " (0-based, in input order): " + first
          + "; fix or filter those rows");
    }
    return new DataScan(partitionRows, width, labelWidth, classes ? counts : null);
  }

  private static String classProblem(double label, int numClasses, boolean named, String name) {
    if (named && label < 0) {
      return "label '" + name + "' has a class the model was not trained on";
    }
    if (label < 0 || label != Math.rint(label)) {
      return "label '" + name + "' is " + label + ", but classes must be integers 0..K-1";
    }
    if (numClasses > 0 && label >= numClasses) {
      return "label '" + name + "' is " + (long) label + ", outside the model's classes 0.."
          + (numClasses - 1);
    }
    if (label > 1_000_000) {
      return "label '" + name + "' is " + (long) label + "; class indices must be 0..K-1";
    }
    return null;
  }

  private static int firstWidth(Dataset<Row> cols, int index, String what) {
    String name = cols.columns()[index];
    List<Row> first = cols.filter(cols.col(name).isNotNull()).select(name).limit(1)
        .collectAsList();
    if (first.isEmpty()) {
      throw new IllegalArgumentException("the input has no rows with a non-null " + what);
    }
    int w = RowValues.width(first.get(0).get(0));
    if (w <= 0) {
      throw new IllegalArgumentException("the first row's " + what + " is empty");
    }
    return w;
  }

}
