package dev.sparkprop.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The SIMD element-wise passes against the scalar formulas they replace. The tests run with
 * {@code --add-modules jdk.incubator.vector} (surefire's argLine), so the vector path is the one
 * under test; the scalar tail of each call (n not a multiple of the lanes) checks the scalar one.
 *
 * <p>Bound: 4 ulps of the scalar value. The Vector API allows EXP and TANH 1 ulp of error, as
 * {@code Math.exp} and {@code Math.tanh} do, so two correct results may differ by 2 ulps, and
 * for sigmoid the rounding of 1 + e and of the division can each carry a differing e one ulp
 * further. Measured here (AVX2, JDK 17 SVML, 10^6 values): at most 2 ulps; sigmoid differs in
 * 0.08-0.2% of the values, tanh in 0.2-20%.
 */
class VectorMathTest {
  private static final int N = 100_003; // not a multiple of any lane count: a scalar tail too

  private static double[] inputs(double scale) {
    Random r = new Random(3);
    double[] z = new double[N];
    for (int i = 0; i < N; i++) {
      z[i] = scale * r.nextGaussian();
    }
    return z;
  }

  private static long ulps(double a, double b) {
    return Math.abs(Double.doubleToLongBits(a) - Double.doubleToLongBits(b));
  }

  @Test
  void path_testJvm_isVector() {
    assertTrue(VectorMath.path().startsWith("vector"), VectorMath.path());
  }

  @Test
  void sigmoid_wideRange_within4UlpsOfScalar() {
    for (double scale : new double[] {1, 10, 300}) {
      double[] z = inputs(scale);
      double[] out = z.clone();
      VectorMath.sigmoid(out, N);
      long worst = 0;
      for (int i = 0; i < N; i++) {
        double expected = 1.0 / (1.0 + Math.exp(-z[i]));
        worst = Math.max(worst, ulps(out[i], expected));
      }
      assertTrue(worst <= 4, "scale " + scale + ": " + worst + " ulps");
    }
  }

  @Test
  void sigmoid_extremes_areFiniteAndSaturate() {
    double[] z = {-1e308, -800, -745, -709, -40, 0, 40, 709, 800, 1e308,
        Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY};
    double[] out = z.clone();
    VectorMath.sigmoid(out, out.length);
    for (int i = 0; i < z.length; i++) {
      assertTrue(out[i] >= 0 && out[i] <= 1, z[i] + " -> " + out[i]);
    }
    assertEquals(0.0, out[0]);
    assertEquals(0.5, out[5]);
    assertEquals(1.0, out[9]);
    assertEquals(0.0, out[10]);
    assertEquals(1.0, out[11]);
  }

  @Test
  void tanh_wideRange_within4UlpsOfScalar() {
    for (double scale : new double[] {0.1, 1, 30}) {
      double[] z = inputs(scale);
      double[] out = z.clone();
      VectorMath.tanh(out, N);
      long worst = 0;
      for (int i = 0; i < N; i++) {
        worst = Math.max(worst, ulps(out[i], Math.tanh(z[i])));
      }
      assertTrue(worst <= 4, "scale " + scale + ": " + worst + " ulps");
    }
  }

  @Test
  void sigmoid_prefix_leavesTheRestUntouched() {
    double[] z = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    VectorMath.sigmoid(z, 5);
    assertEquals(6.0, z[5]);
    assertEquals(11.0, z[10]);
    assertEquals(1.0 / (1.0 + Math.exp(-5.0)), z[4], 1e-15);
  }
}
