package dev.sparkprop.spark;

import java.util.List;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.Vector;

/**
 * Reads the canonical features and label of one input row into primitive arrays, reporting
 * the first problem (null, NaN, infinity, wrong width) instead of throwing, so that a data pass
 * can count problems and name the first offending row.
 */
final class RowValues {
  private RowValues() {}

  /** Result of a read: {@code null} when the row is fine, else what is wrong with it. */
  static String readVector(Object value, double[] dst, int off, int width, String what,
      List<String> names) {
    if (value == null) {
      return what + " is null";
    }
    if (value instanceof Vector v) {
      if (v.size() != width) {
        return what + " has " + v.size() + " values, expected " + width;
      }
      // A dense vector's values are copied as they are; a sparse one is expanded.
      double[] values = v instanceof DenseVector d ? d.values() : v.toArray();
      System.arraycopy(values, 0, dst, off, width);
      return checkFinite(dst, off, width, what, names);
    }
    if (value instanceof scala.collection.Seq<?> seq) {
      int n = seq.length();
      if (n != width) {
        return what + " has " + n + " values, expected " + width;
      }
      scala.collection.Iterator<?> it = seq.iterator();
      for (int i = 0; i < n; i++) {
        Object x = it.next();
        if (x == null) {
          return what + " has a null value" + at(names, i);
        }
        dst[off + i] = ((Number) x).doubleValue();
      }
      return checkFinite(dst, off, width, what, names);
    }
    if (value instanceof Number x) {
      if (width != 1) {
        return what + " has 1 value, expected " + width;
      }
      dst[off] = x.doubleValue();
      return checkFinite(dst, off, 1, what, names);
    }
    return what + " has unsupported type " + value.getClass().getSimpleName();
  }

  /** Width of a Vector, array or number value; -1 for null. */
  static int width(Object value) {
    if (value == null) {
      return -1;
    }
    if (value instanceof Vector v) {
      return v.size();
    }
    if (value instanceof scala.collection.Seq<?> seq) {
      return seq.length();
    }
    return 1;
  }

  private static String checkFinite(double[] dst, int off, int width, String what,
      List<String> names) {
    for (int i = 0; i < width; i++) {
      double x = dst[off + i];
      if (Double.isNaN(x)) {
        return what + " has a NaN value" + at(names, i);
      }
      if (Double.isInfinite(x)) {
        return what + " has an infinite value" + at(names, i);
      }
    }
    return null;
  }

  private static String at(List<String> names, int i) {
    return names != null && i < names.size() ? " in column '" + names.get(i) + "'" : " at index " + i;
  }
}
