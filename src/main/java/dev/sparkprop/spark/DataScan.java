package dev.sparkprop.spark;

import dev.sparkprop.io.InputMapping;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.storage.StorageLevel;

/**
 * The one read of canonical input rows ({@link InputMapping#FEATURES} and, if labelled,
 * {@link InputMapping#LABEL}): every value is checked (null, NaN, infinity, width, class range)
 * and the rows are kept, parsed into primitive arrays, in Spark's cache ({@link #rows()}), so
 * that numbering, the split, the statistics and the blocks all see the same rows: the input is
 * read once, and a DataFrame that would give other rows or another order when recomputed (a
 * {@code repartition}, a {@code sample}, a non-deterministic expression) is evaluated once. Each
 * row's id is its position in that one evaluation: partition offset plus index within the
 * partition. Problems are reported as one line with their count and the first offending row.
 *
 * <p>Values are read from Spark's internal rows (no external {@code Row}, no boxing per value).
 * {@link #close()} releases the cached rows; {@link #check} scans without keeping them.
 */
public final class DataScan implements Serializable, AutoCloseable {
  private static final long serialVersionUID = 1L;

  /** Parsed rows per chunk: big enough for bulk copies, small enough for the heap. */
  static final int CHUNK_ROWS = 1024;

  /** Rows in each input partition, in partition order. */
  public final long[] partitionRows;
  public final int featureWidth;
  /** Values per label (0 without label). For classes: 1. */
  public final int labelWidth;
  /** For classification: rows per class (length K); else null. */
  public final long[] classCounts;
  /** The parsed rows, cached; null after {@link #check}. */
  private final transient JavaRDD<Chunk> rows;

  private DataScan(long[] partitionRows, int featureWidth, int labelWidth, long[] classCounts,
      JavaRDD<Chunk> rows) {
    this.partitionRows = partitionRows;
    this.featureWidth = featureWidth;
    this.labelWidth = labelWidth;
    this.classCounts = classCounts;
    this.rows = rows;
  }

  /**
   * Up to {@link #CHUNK_ROWS} consecutive input rows of one partition: {@code x} is
   * {@code rows x features} row-contiguous, {@code y} {@code rows x labelWidth} (null without a
   * label).
   */
  static class Chunk implements Serializable {
    private static final long serialVersionUID = 1L;
    final int rows;
    final double[] x;
    final double[] y;

    Chunk(int rows, double[] x, double[] y) {
      this.rows = rows;
      this.x = x;
      this.y = y;
    }
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

  /** The cached parsed rows, in input order within each partition. */
  JavaRDD<Chunk> chunks() {
    if (rows == null) {
      throw new IllegalStateException("this scan kept no rows (DataScan.check)");
    }
    return rows;
  }

  /** Releases the cached rows (no-op after {@link #check}). */
  @Override
  public void close() {
    if (rows != null) {
      rows.unpersist(false);
    }
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
   * Reads, checks and caches {@code canonical}'s rows.
   *
   * @param featureWidth expected features per row, or -1 to take the first row's width
   * @param numClasses for classification with a known class count (a model's), else 0
   * @throws IllegalArgumentException if the input is empty or any value is unusable
   */
  public static DataScan scan(Dataset<Row> canonical, InputMapping mapping, boolean withLabel,
      int featureWidth, int numClasses) {
    return run(canonical, mapping, withLabel, featureWidth, numClasses, true);
  }

  /** {@link #scan} without keeping the rows: the checks and counts only (data to predict). */
  public static DataScan check(Dataset<Row> canonical, InputMapping mapping, boolean withLabel,
      int featureWidth, int numClasses) {
    return run(canonical, mapping, withLabel, featureWidth, numClasses, false);
  }

  private static DataScan run(Dataset<Row> canonical, InputMapping mapping, boolean withLabel,
      int featureWidth, int numClasses, boolean keep) {
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
    final RowValues.Reader featureReader = RowValues.Reader.of(cols.schema().apply(0).dataType());
    final RowValues.Reader labelReader = withLabel
        ? RowValues.Reader.of(cols.schema().apply(1).dataType()) : null;
    final String labelWhat = "label '" + labelName + "'";
    JavaRDD<InternalRow> internal = cols.queryExecution().toRdd().toJavaRDD();
    JavaRDD<Chunk> chunks = internal.mapPartitions(it -> new Iterator<Chunk>() {
      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public Chunk next() {
        if (!it.hasNext()) {
          throw new NoSuchElementException();
        }
        double[] x = new double[CHUNK_ROWS * width];
        double[] y = labelWidth > 0 ? new double[CHUNK_ROWS * labelWidth] : null;
        String[] problems = new String[CHUNK_ROWS];
        int n = 0;
        boolean any = false;
        while (n < CHUNK_ROWS && it.hasNext()) {
          InternalRow row = it.next();
          String problem = featureReader.read(row, 0, x, n * width, width, "features", names);
          if (problem == null && labelWidth > 0) {
            problem = labelReader.read(row, 1, y, n * labelWidth, labelWidth, labelWhat, null);
            if (problem == null && classes) {
              problem = classProblem(y[n], numClasses, named, labelName);
            }
          }
          if (problem != null) {
            problems[n] = problem;
            any = true;
          }
          n++;
        }
        return new ProblemChunk(n, n < CHUNK_ROWS ? Arrays.copyOf(x, n * width) : x,
            y == null || n == CHUNK_ROWS ? y : Arrays.copyOf(y, n * labelWidth),
            any ? problems : null);
      }
    });
    if (keep) {
      chunks = chunks.persist(StorageLevel.MEMORY_AND_DISK());
    }
    // One job: it reads the input once, fills the cache and checks and counts every row.
    List<PartitionResult> parts = chunks.mapPartitionsWithIndex((p, it) -> {
      PartitionResult r = new PartitionResult();
      r.partition = p;
      while (it.hasNext()) {
        Chunk c = it.next();
        String[] problems = c instanceof ProblemChunk pc ? pc.problems : null;
        for (int i = 0; i < c.rows; i++) {
          String problem = problems == null ? null : problems[i];
          if (problem != null) {
            if (r.problems == 0) {
              r.firstProblemRow = r.rows;
              r.firstProblem = problem;
            }
            r.problems++;
          } else if (classes) {
            int k = (int) c.y[i];
            if (k >= r.classCounts.length) {
              r.classCounts = Arrays.copyOf(r.classCounts, k + 1);
            }
            r.classCounts[k]++;
          }
          r.rows++;
        }
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
        counts = Arrays.copyOf(counts, r.classCounts.length);
      }
      for (int k = 0; k < r.classCounts.length; k++) {
        counts[k] += r.classCounts[k];
      }
    }
    if (total == 0 || problems > 0) {
      if (keep) {
        chunks.unpersist(false);
      }
      if (total == 0) {
        throw new IllegalArgumentException("the input has no rows");
      }
      throw new IllegalArgumentException(problems + " of " + total + " input rows cannot be used;"
          + " the first is row " + firstRow + " (0-based, in input order): " + first
          + "; fix or filter those rows");
    }
    return new DataScan(partitionRows, width, labelWidth, classes ? counts : null,
        keep ? chunks : null);
  }

  /** A chunk that also names the problem of each unusable row (null for a usable one). */
  private static final class ProblemChunk extends Chunk {
    private static final long serialVersionUID = 1L;
    final String[] problems;

    ProblemChunk(int rows, double[] x, double[] y, String[] problems) {
      super(rows, x, y);
      this.problems = problems;
    }
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
