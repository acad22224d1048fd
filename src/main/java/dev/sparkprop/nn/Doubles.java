package dev.sparkprop.nn;

import java.io.IOException;
import java.io.ObjectInput;
import java.io.ObjectOutput;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A few {@code double[]} arrays that serialise as raw bytes. Java serialisation writes a
 * {@code double[]} value by value (a conversion and a bounds check per element): profiling the
 * image network's mini-batch steps showed writing and reading the parameters and gradients (P =
 * 235,146 values each) taking about as much CPU as the network's products. Here each array is
 * one bulk copy into a byte buffer and one write. Used for what every step ships: the broadcast
 * parameters (and optimizer moments) and the tasks' gradient sums.
 */
public final class Doubles implements Serializable {
  private static final long serialVersionUID = 1L;

  private transient double[][] arrays;

  public Doubles(double[]... arrays) {
    this.arrays = arrays;
  }

  /** Array {@code i} (not a copy). */
  public double[] get(int i) {
    return arrays[i];
  }

  public int size() {
    return arrays.length;
  }

  private void writeObject(java.io.ObjectOutputStream out) throws IOException {
    out.defaultWriteObject();
    out.writeInt(arrays.length);
    for (double[] a : arrays) {
      write(out, a);
    }
  }

  private void readObject(java.io.ObjectInputStream in) throws IOException,
      ClassNotFoundException {
    in.defaultReadObject();
    arrays = new double[in.readInt()][];
    for (int i = 0; i < arrays.length; i++) {
      arrays[i] = read(in);
    }
  }

  /** Writes {@code a} (may be null) as its length and its raw little-endian bytes. */
  public static void write(ObjectOutput out, double[] a) throws IOException {
    if (a == null) {
      out.writeInt(-1);
      return;
    }
    out.writeInt(a.length);
    ByteBuffer bytes = ByteBuffer.allocate(a.length * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asDoubleBuffer().put(a);
    out.write(bytes.array());
  }

  /** Reads an array written by {@link #write}. */
  public static double[] read(ObjectInput in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      return null;
    }
    byte[] raw = new byte[n * Double.BYTES];
    in.readFully(raw);
    double[] a = new double[n];
    ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(a);
    return a;
  }
}
