package dev.sparkprop.nn;

import java.io.Serializable;
import java.util.Objects;

/**
 * Up to a few thousand data rows stacked into dense column-major matrices: {@code x} is
 * {@code features x rows} (each data row's features contiguous, so stacking a row is one copy)
 * and {@code y} is {@code targetWidth x rows}. A block without targets (for prediction) has
 * {@code targetWidth == 0}. For cross-entropy a target width of 1 holds the class index.
 * The arrays may be longer than needed; only the first {@code rows} columns are used.
 * {@code rowIds}, when present, holds each row's stable id (its 0-based position in the input),
 * by which mini-batches choose rows whatever the partitioning.
 *
 * <p>A {@link Precision#FLOAT32} block holds its features in {@code xFloat} instead ({@code x} is
 * null): half the bytes in Spark's cache and in every pass over it. Targets stay double.
 */
public final class Block implements Serializable {
  private static final long serialVersionUID = 1L;

  public final int rows;
  public final int features;
  public final int targetWidth;
  /** Features, or null in a float32 block. */
  public final double[] x;
  /** Features of a float32 block, else null. */
  public final float[] xFloat;
  public final double[] y;
  /** Each row's stable id, or null when the rows have none. */
  public final long[] rowIds;

  public Block(int rows, int features, double[] x, int targetWidth, double[] y) {
    this(rows, features, x, targetWidth, y, null);
  }

  public Block(int rows, int features, double[] x, int targetWidth, double[] y, long[] rowIds) {
    this(rows, features, Objects.requireNonNull(x, "x"), null, x.length, targetWidth, y, rowIds);
  }

  /** A float32 block: features {@code x} as floats, targets double. */
  public Block(int rows, int features, float[] x, int targetWidth, double[] y, long[] rowIds) {
    this(rows, features, null, Objects.requireNonNull(x, "x"), x.length, targetWidth, y, rowIds);
  }

  private Block(int rows, int features, double[] x, float[] xFloat, int xLength, int targetWidth,
      double[] y, long[] rowIds) {
    Checks.arg(rows >= 0 && features > 0 && targetWidth >= 0,
        "bad block shape: %s rows, %s features, %s targets", rows, features, targetWidth);
    Checks.arg(xLength >= (long) rows * features,
        "block x holds %s values, needs %s", xLength, (long) rows * features);
    Checks.arg(targetWidth == 0 || (y != null && y.length >= (long) rows * targetWidth),
        "block y too short for %s rows x %s targets", rows, targetWidth);
    Checks.arg(rowIds == null || rowIds.length >= rows,
        "block has %s row ids for %s rows", rowIds == null ? 0 : rowIds.length, rows);
    this.rows = rows;
    this.features = features;
    this.x = x;
    this.xFloat = xFloat;
    this.targetWidth = targetWidth;
    this.y = y;
    this.rowIds = rowIds;
  }

  public Precision precision() {
    return xFloat != null ? Precision.FLOAT32 : Precision.FLOAT64;
  }

  /** This block in {@code precision}: itself if it already is, else a copy with converted features. */
  public Block to(Precision precision) {
    if (precision == precision()) {
      return this;
    }
    int n = rows * features;
    if (precision == Precision.FLOAT32) {
      float[] f = new float[n];
      for (int i = 0; i < n; i++) {
        f[i] = (float) x[i];
      }
      return new Block(rows, features, f, targetWidth, y, rowIds);
    }
    double[] d = new double[n];
    for (int i = 0; i < n; i++) {
      d[i] = xFloat[i];
    }
    return new Block(rows, features, d, targetWidth, y, rowIds);
  }

  /** The same rows and features with row ids {@code ids}. */
  public Block withRowIds(long[] ids) {
    return new Block(rows, features, x, xFloat, x != null ? x.length : xFloat.length, targetWidth,
        y, ids);
  }

  /** A block of rows given as {@code x[row][feature]} and {@code y[row][target]} (tests, tiny data). */
  public static Block ofRows(double[][] x, double[][] y) {
    int rows = x.length;
    Checks.arg(rows > 0, "a block needs at least one row");
    int f = x[0].length;
    int t = y == null ? 0 : y[0].length;
    double[] xs = new double[rows * f];
    double[] ys = new double[rows * t];
    for (int r = 0; r < rows; r++) {
      Checks.arg(x[r].length == f, "row %s has %s features, expected %s", r, x[r].length, f);
      System.arraycopy(x[r], 0, xs, r * f, f);
      if (t > 0) {
        Checks.arg(y[r].length == t, "row %s has %s targets, expected %s", r, y[r].length, t);
        System.arraycopy(y[r], 0, ys, r * t, t);
      }
    }
    return new Block(rows, f, xs, t, t == 0 ? null : ys);
  }

  /** Rows {@code [from, to)} as a new block (copies). */
  public Block slice(int from, int to) {
    Checks.arg(0 <= from && from <= to && to <= rows, "bad slice [%s, %s) of %s rows", from, to, rows);
    int n = to - from;
    double[] ys = null;
    if (targetWidth > 0) {
      ys = new double[n * targetWidth];
      System.arraycopy(y, from * targetWidth, ys, 0, n * targetWidth);
    }
    long[] ids = rowIds == null ? null : java.util.Arrays.copyOfRange(rowIds, from, to);
    int a = from * features;
    int b = to * features;
    return x != null
        ? new Block(n, features, java.util.Arrays.copyOfRange(x, a, b), targetWidth, ys, ids)
        : new Block(n, features, java.util.Arrays.copyOfRange(xFloat, a, b), targetWidth, ys, ids);
  }
}
