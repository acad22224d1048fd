package dev.sparkprop.nn;

import java.io.Serializable;

/**
 * Up to a few thousand data rows stacked into dense column-major matrices: {@code x} is
 * {@code features x rows} (each data row's features contiguous, so stacking a row is one copy)
 * and {@code y} is {@code targetWidth x rows}. A block without targets (for prediction) has
 * {@code targetWidth == 0}. For cross-entropy a target width of 1 holds the class index.
 * The arrays may be longer than needed; only the first {@code rows} columns are used.
 * {@code rowIds}, when present, holds each row's stable id (its 0-based position in the input),
 * by which mini-batches choose rows whatever the partitioning.
 */
public final class Block implements Serializable {
  private static final long serialVersionUID = 1L;

  public final int rows;
  public final int features;
  public final int targetWidth;
  public final double[] x;
  public final double[] y;
  /** Each row's stable id, or null when the rows have none. */
  public final long[] rowIds;

  public Block(int rows, int features, double[] x, int targetWidth, double[] y) {
    this(rows, features, x, targetWidth, y, null);
  }

  public Block(int rows, int features, double[] x, int targetWidth, double[] y, long[] rowIds) {
    Checks.arg(rows >= 0 && features > 0 && targetWidth >= 0,
        "bad block shape: %s rows, %s features, %s targets", rows, features, targetWidth);
    Checks.arg(x.length >= (long) rows * features,
        "block x holds %s values, needs %s", x.length, (long) rows * features);
    Checks.arg(targetWidth == 0 || (y != null && y.length >= (long) rows * targetWidth),
        "block y too short for %s rows x %s targets", rows, targetWidth);
    Checks.arg(rowIds == null || rowIds.length >= rows,
        "block has %s row ids for %s rows", rowIds == null ? 0 : rowIds.length, rows);
    this.rows = rows;
    this.features = features;
    this.x = x;
    this.targetWidth = targetWidth;
    this.y = y;
    this.rowIds = rowIds;
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
    double[] xs = new double[n * features];
    System.arraycopy(x, from * features, xs, 0, n * features);
    double[] ys = null;
    if (targetWidth > 0) {
      ys = new double[n * targetWidth];
      System.arraycopy(y, from * targetWidth, ys, 0, n * targetWidth);
    }
    long[] ids = rowIds == null ? null : java.util.Arrays.copyOfRange(rowIds, from, to);
    return new Block(n, features, xs, targetWidth, ys, ids);
  }
}
