package dev.sparkprop.nn;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The logistic function over whole arrays, the element-wise pass that profiling found hot
 * ({@code Math.exp} plus a mispredicted sign branch was half of the lesson network's kernel
 * time). With the {@code jdk.incubator.vector} module in the JVM ({@code --add-modules
 * jdk.incubator.vector}, which scripts/sparkprop, scripts/bench, the tests and Spark's own
 * executor launcher pass) it runs on SIMD lanes; without it on a branch-free scalar loop, so the
 * code runs on any Java 17. The system property {@code dev.sparkprop.vector-math=false} forces the
 * scalar path (A/B measurements).
 *
 * <p>Both paths compute the SAME exp, written here from IEEE additions and multiplications only
 * (Cody-Waite range reduction, a degree-13 Taylor polynomial, scaling by 2^n), so a value is
 * bit-identical in vector lanes, in the scalar tail, in a JVM without the module, and in
 * interpreted or C1 code (the Vector API's own EXP is Intel's SVML under C2 but a per-lane
 * {@code Math.exp} elsewhere: they differ by ulps, and a prediction on a cluster would then
 * differ from the same prediction made locally). Its error against {@code Math.exp} is a few
 * ulps (VectorMathTest bounds it). Arguments are clamped to [-708, 708] (float: [-87, 87]):
 * sigmoid there is within the smallest normal number of 0 or 1.
 */
public final class VectorMath {
  private VectorMath() {}

  private static final boolean VECTOR = vectorModulePresent()
      && !"false".equalsIgnoreCase(System.getProperty("dev.sparkprop.vector-math"));

  private static boolean vectorModulePresent() {
    return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
  }

  // exp(x) = 2^n e^r, n = round(x / ln 2), r = x - n ln2 (ln2 split so that n * LN2_HI is exact).
  static final double LOG2E = 1.4426950408889634;
  static final double LN2_HI = 6.93147180369123816490e-01;
  static final double LN2_LO = 1.90821492927058770002e-10;
  // x + ROUND - ROUND rounds x to an integer n, and the sum's low mantissa bits hold n itself.
  static final double ROUND = 0x1.8p52;
  static final double LIMIT = 708;

  static final float LOG2E_F = 1.44269504f;
  static final float LN2_HI_F = 0.693359375f;
  static final float LN2_LO_F = -2.12194440e-4f;
  static final float ROUND_F = 0x1.8p23f;
  static final float LIMIT_F = 87;
  /** 1/k! for k = 7 down to 2 (float's precision needs no more). */
  static final float[] TAYLOR_F = new float[6];

  static {
    for (int k = 2; k <= 7; k++) {
      TAYLOR_F[7 - k] = (float) (1 / factorial(k));
    }
  }

  // 1/k! for k = 2..13, the coefficients of exp(r) = 1 + r + r^2 (A2 + A3 r + ... + A13 r^11).
  private static final double A2 = 1 / factorial(2);
  private static final double A3 = 1 / factorial(3);
  private static final double A4 = 1 / factorial(4);
  private static final double A5 = 1 / factorial(5);
  private static final double A6 = 1 / factorial(6);
  private static final double A7 = 1 / factorial(7);
  private static final double A8 = 1 / factorial(8);
  private static final double A9 = 1 / factorial(9);
  private static final double A10 = 1 / factorial(10);
  private static final double A11 = 1 / factorial(11);
  private static final double A12 = 1 / factorial(12);
  private static final double A13 = 1 / factorial(13);

  /** k! as a double (exact up to 18!). */
  private static double factorial(int k) {
    double f = 1;
    for (int i = 2; i <= k; i++) {
      f *= i;
    }
    return f;
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

  /** Overwrites {@code z[0, n)} with the logistic function, in float (float32 blocks). */
  public static void sigmoid(float[] z, int n) {
    int i = VECTOR ? Lanes.sigmoid(z, n) : 0;
    for (; i < n; i++) {
      z[i] = 1.0f / (1.0f + exp(-z[i]));
    }
  }

  /** The logistic function, without a branch; the same value as the vector lanes give. */
  static double sigmoid(double z) {
    return 1.0 / (1.0 + exp(-z));
  }

  /**
   * e^x as described above, scalar; the lanes compute the same operations in the same order.
   * The polynomial A2 + A3 r + ... + A13 r^11 is evaluated by Estrin's scheme (pairs, then
   * powers r^2, r^4, r^8), whose dependency chain is a third of Horner's: the lanes were bound
   * by Horner's 22 dependent multiply-adds (4.7 ns per element, 3.1 with Estrin, on the
   * benchmark machine). Then exp = (p r + 1) r + 1, as Horner would end, so the large terms
   * are added last and the result keeps Horner's few-ulp accuracy.
   */
  static double exp(double x) {
    x = Math.min(Math.max(x, -LIMIT), LIMIT);
    double t = x * LOG2E + ROUND; // n sits in t's low mantissa bits
    double n = t - ROUND;
    double r = (x - n * LN2_HI) - n * LN2_LO;
    double r2 = r * r;
    double r4 = r2 * r2;
    double r8 = r4 * r4;
    double s0 = (r * A5 + A4) * r2 + (r * A3 + A2);
    double s1 = (r * A9 + A8) * r2 + (r * A7 + A6);
    double s2 = (r * A13 + A12) * r2 + (r * A11 + A10);
    double p = s2 * r8 + (s1 * r4 + s0);
    p = (p * r + 1.0) * r + 1.0;
    return p * Double.longBitsToDouble((Double.doubleToRawLongBits(t) + 1023) << 52);
  }

  /** e^x in float, likewise. */
  static float exp(float x) {
    x = Math.min(Math.max(x, -LIMIT_F), LIMIT_F);
    float t = x * LOG2E_F + ROUND_F;
    float n = t - ROUND_F;
    float r = (x - n * LN2_HI_F) - n * LN2_LO_F;
    float p = TAYLOR_F[0];
    for (int k = 1; k < TAYLOR_F.length; k++) {
      p = p * r + TAYLOR_F[k];
    }
    p = (p * r + 1.0f) * r + 1.0f;
    return p * Float.intBitsToFloat((Float.floatToRawIntBits(t) + 127) << 23);
  }

  /**
   * The vector loops; a nested class, loaded only when {@link #VECTOR} is true, so a JVM
   * without the incubator module never resolves its types. Each method handles the largest
   * multiple of the lane count and returns where the scalar tail starts.
   */
  private static final class Lanes {
    static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_PREFERRED;
    static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;

    static int sigmoid(double[] z, int n) {
      int bound = DOUBLES.loopBound(n);
      for (int i = 0; i < bound; i += DOUBLES.length()) {
        DoubleVector x = DoubleVector.fromArray(DOUBLES, z, i).neg().max(-LIMIT).min(LIMIT);
        DoubleVector t = x.mul(LOG2E).add(ROUND);
        DoubleVector m = t.sub(ROUND);
        DoubleVector r = x.sub(m.mul(LN2_HI)).sub(m.mul(LN2_LO));
        // Estrin's scheme, in exactly the scalar exp's order of operations.
        DoubleVector r2 = r.mul(r);
        DoubleVector r4 = r2.mul(r2);
        DoubleVector r8 = r4.mul(r4);
        DoubleVector s0 = r.mul(A5).add(A4).mul(r2).add(r.mul(A3).add(A2));
        DoubleVector s1 = r.mul(A9).add(A8).mul(r2).add(r.mul(A7).add(A6));
        DoubleVector s2 = r.mul(A13).add(A12).mul(r2).add(r.mul(A11).add(A10));
        DoubleVector p = s2.mul(r8).add(s1.mul(r4).add(s0));
        p = p.mul(r).add(1.0).mul(r).add(1.0);
        // 2^n from t's bits: no double-to-long conversion, which AVX2 lacks.
        DoubleVector scale = t.reinterpretAsLongs().add(1023L)
            .lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
        DoubleVector e = p.mul(scale);
        DoubleVector.broadcast(DOUBLES, 1.0).div(e.add(1.0)).intoArray(z, i);
      }
      return bound;
    }

    static int sigmoid(float[] z, int n) {
      int bound = FLOATS.loopBound(n);
      for (int i = 0; i < bound; i += FLOATS.length()) {
        FloatVector x = FloatVector.fromArray(FLOATS, z, i).neg().max(-LIMIT_F).min(LIMIT_F);
        FloatVector t = x.mul(LOG2E_F).add(ROUND_F);
        FloatVector m = t.sub(ROUND_F);
        FloatVector r = x.sub(m.mul(LN2_HI_F)).sub(m.mul(LN2_LO_F));
        FloatVector p = FloatVector.broadcast(FLOATS, TAYLOR_F[0]);
        for (int k = 1; k < TAYLOR_F.length; k++) {
          p = p.mul(r).add(TAYLOR_F[k]);
        }
        p = p.mul(r).add(1.0f).mul(r).add(1.0f);
        FloatVector scale = t.reinterpretAsInts().add(127)
            .lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector e = p.mul(scale);
        FloatVector.broadcast(FLOATS, 1.0f).div(e.add(1.0f)).intoArray(z, i);
      }
      return bound;
    }
  }
}
