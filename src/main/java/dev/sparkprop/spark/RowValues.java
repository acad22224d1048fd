package dev.sparkprop.spark;

import java.io.Serializable;
import java.util.List;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * Reads the canonical features and label of one input row into primitive arrays, reporting
 * the first problem (null, NaN, infinity, wrong width) instead of throwing, so that a data pass
 * can count problems and name the first offending row. {@link Reader} does the same on Spark's
 * internal rows, without an external {@code Row} or a boxed value per element.
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

  /**
   * Reads one column of Spark's internal rows, as its data type stores it: a double, an array
   * of doubles (a primitive array in an {@code UnsafeRow}) or an ml Vector (VectorUDT's struct
   * of type, size, indices, values). The messages are {@link #readVector}'s.
   */
  static final class Reader implements Serializable {
    private static final long serialVersionUID = 1L;

    private enum Kind { DOUBLE, ARRAY, VECTOR }

    private final Kind kind;

    private Reader(Kind kind) {
      this.kind = kind;
    }

    /** The reader of a column of type {@code type} (double, array of double, ml Vector). */
    static Reader of(DataType type) {
      if (type instanceof VectorUDT) {
        return new Reader(Kind.VECTOR);
      }
      if (type instanceof ArrayType a && a.elementType().equals(DataTypes.DoubleType)) {
        return new Reader(Kind.ARRAY);
      }
      if (type.equals(DataTypes.DoubleType)) {
        return new Reader(Kind.DOUBLE);
      }
      throw new IllegalArgumentException("unsupported column type " + type.simpleString()
          + "; expected double, array<double> or an ml Vector");
    }

    /** Reads column {@code ordinal} of {@code row} into {@code dst[off, off + width)}. */
    String read(InternalRow row, int ordinal, double[] dst, int off, int width, String what,
        List<String> names) {
      if (row.isNullAt(ordinal)) {
        return what + " is null";
      }
      switch (kind) {
        case DOUBLE -> {
          if (width != 1) {
            return what + " has 1 value, expected " + width;
          }
          dst[off] = row.getDouble(ordinal);
        }
        case ARRAY -> {
          ArrayData a = row.getArray(ordinal);
          int n = a.numElements();
          if (n != width) {
            return what + " has " + n + " values, expected " + width;
          }
          for (int i = 0; i < n; i++) {
            if (a.isNullAt(i)) {
              return what + " has a null value" + at(names, i);
            }
            dst[off + i] = a.getDouble(i);
          }
        }
        case VECTOR -> {
          InternalRow v = row.getStruct(ordinal, 4);
          byte type = v.getByte(0);
          ArrayData values = v.getArray(3);
          if (type == 1) { // dense: the values are the vector
            int n = values.numElements();
            if (n != width) {
              return what + " has " + n + " values, expected " + width;
            }
            for (int i = 0; i < n; i++) {
              dst[off + i] = values.getDouble(i);
            }
          } else { // sparse: size, indices, values
            int size = v.getInt(1);
            if (size != width) {
              return what + " has " + size + " values, expected " + width;
            }
            ArrayData indices = v.getArray(2);
            java.util.Arrays.fill(dst, off, off + width, 0.0);
            for (int k = 0, nnz = indices.numElements(); k < nnz; k++) {
              dst[off + indices.getInt(k)] = values.getDouble(k);
            }
          }
        }
        default -> throw new IllegalStateException("unknown kind " + kind);
      }
      return checkFinite(dst, off, width, what, names);
    }
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
