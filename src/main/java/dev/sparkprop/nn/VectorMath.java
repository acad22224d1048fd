package dev.sparkprop.nn;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The element-wise passes that profiling found hot (sigmoid: {@code Math.exp} plus a
 * mispredicted sign branch was half of the lesson network's kernel time; tanh), over whole
 * arrays. With the {@code jdk.incubator.vector} module in the JVM ({@code --add-modules
 * jdk.incubator.vector}, which scripts/sparkprop, scripts/bench, the tests and Spark's own
 * executor launcher pass) they run on SIMD lanes; without it on a branch-free scalar loop, so
 * the code runs on any Java 17. The system property {@code sparkprop.vector-math=false} forces
 * the scalar path (A/B measurements).
 *
 * <p>Numerics: lane-wise EXP/TANH of the Vector API are allowed 1 ulp of error (Intel's SVML on
 * x86), {@code Math.exp} likewise; the two paths can therefore differ in the last bits of an
 * activation, never more (VectorMathTest bounds it).
 */
public final class VectorMath {
  private VectorMath() {}

  private static final boolean VECTOR = vectorModulePresent()
      && !"false".equalsIgnoreCase(System.getProperty("sparkprop.vector-math"));

  private static boolean vectorModulePresent() {
    return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
  }

  /** Which path runs, for the start-up log: e.g. "vector (4 x double lanes)" or "scalar". */
  public static String path() {
    return VECTOR ? "vector (" + Lanes.DOUBLES.length() + " x double lanes)"
        : "scalar (add --add-modules jdk.incubator.vector for SIMD)";
  }

  /** Overwrites {@code z[0, n)} with the logistic function 1 / (1 + exp(-z)). */
  public static void sigmoid(double[] z, int n) {
    int i = VECTOR ? Lanes.sigmoid(z, n) : 0;
    for (; i < n; i++) {
      z[i] = sigmoid(z[i]);
    }
  }

  /** Overwrites {@code z[0, n)} with tanh(z). */
  public static void tanh(double[] z, int n) {
    int i = VECTOR ? Lanes.tanh(z, n) : 0;
    for (; i < n; i++) {
      z[i] = Math.tanh(z[i]);
    }
  }

  /** Overwrites {@code z[0, n)} with the logistic function, in float (float32 blocks). */
  public static void sigmoid(float[] z, int n) {
    int i = VECTOR ? Lanes.sigmoid(z, n) : 0;
    for (; i < n; i++) {
      z[i] = 1.0f / (1.0f + (float) Math.exp(-z[i]));
    }
  }

  /** Overwrites {@code z[0, n)} with tanh(z), in float (float32 blocks). */
  public static void tanh(float[] z, int n) {
    int i = VECTOR ? Lanes.tanh(z, n) : 0;
    for (; i < n; i++) {
      z[i] = (float) Math.tanh(z[i]);
    }
  }

  /**
   * The logistic function without a branch: for z far below 0, exp(-z) overflows to infinity
   * and the result is 0, the correctly rounded value below z = -745 and within a denormal of it
   * above; no NaN for any finite or infinite z.
   */
  static double sigmoid(double z) {
    return 1.0 / (1.0 + Math.exp(-z));
  }

  /**
   * The vector loops; a nested class, loaded only when {@link #VECTOR} is true, so a JVM
   * without the incubator module never resolves its types. Each method handles the largest
   * multiple of the lane count and returns where the scalar tail starts.
   */
  private static final class Lanes {
    static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_PREFERRED;
    static final DoubleVector ONE = DoubleVector.broadcast(DOUBLES, 1.0);
    static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    static final FloatVector ONE_F = FloatVector.broadcast(FLOATS, 1.0f);

    static int sigmoid(double[] z, int n) {
      int bound = DOUBLES.loopBound(n);
      for (int i = 0; i < bound; i += DOUBLES.length()) {
        DoubleVector v = DoubleVector.fromArray(DOUBLES, z, i);
        DoubleVector e = v.neg().lanewise(VectorOperators.EXP);
        ONE.div(e.add(1.0)).intoArray(z, i);
      }
      return bound;
    }

    static int tanh(double[] z, int n) {
      int bound = DOUBLES.loopBound(n);
      for (int i = 0; i < bound; i += DOUBLES.length()) {
        DoubleVector.fromArray(DOUBLES, z, i).lanewise(VectorOperators.TANH).intoArray(z, i);
      }
      return bound;
    }

    static int sigmoid(float[] z, int n) {
      int bound = FLOATS.loopBound(n);
      for (int i = 0; i < bound; i += FLOATS.length()) {
        FloatVector v = FloatVector.fromArray(FLOATS, z, i);
        FloatVector e = v.neg().lanewise(VectorOperators.EXP);
        ONE_F.div(e.add(1.0f)).intoArray(z, i);
      }
      return bound;
    }

    static int tanh(float[] z, int n) {
      int bound = FLOATS.loopBound(n);
      for (int i = 0; i < bound; i += FLOATS.length()) {
        FloatVector.fromArray(FLOATS, z, i).lanewise(VectorOperators.TANH).intoArray(z, i);
      }
      return bound;
    }
  }
}
