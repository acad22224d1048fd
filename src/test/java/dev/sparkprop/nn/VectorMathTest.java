package dev.sparkprop.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The SIMD sigmoid against the scalar one and against {@code Math.exp}. The tests run with
 * {@code --add-modules jdk.incubator.vector} (surefire's argLine), so the vector path is the one
 * under test; the scalar tail of each call (n not a multiple of the lanes) and the scalar
 * functions are the path a JVM without the module takes.
 *
 * <p>Vector and scalar must agree to the bit: a prediction on a cluster whose executors take
 * the other path must equal the local one. Against {@code 1 / (1 + Math.exp(-z))} for |z| <= 700:
 * at most 4 ulps (the polynomial's rounding plus Math.exp's own 1 ulp); beyond, the clamp at
 * 708 keeps the value within the smallest normal number of the true one. float32 against the
 * double sigmoid rounded to float: 4 float ulps for |z| <= 80.
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
  void sigmoid_vectorAndScalar_bitIdenticalAndWithin4UlpsOfMathExp() {
    for (double scale : new double[] {1, 10, 300}) {
      double[] z = inputs(scale);
      double[] out = z.clone();
      VectorMath.sigmoid(out, N);
      long worst = 0;
      for (int i = 0; i < N; i++) {
        assertEquals(VectorMath.sigmoid(z[i]), out[i], 0.0, "z = " + z[i]);
        double expected = 1.0 / (1.0 + Math.exp(-z[i]));
        if (Math.abs(z[i]) <= 700) {
          worst = Math.max(worst, ulps(out[i], expected));
        } else { // the clamp: within the smallest normal number of the true value
          assertEquals(expected, out[i], 4 * Double.MIN_NORMAL, "z = " + z[i]);
        }
      }
      assertTrue(worst <= 4, "scale " + scale + ": " + worst + " ulps");
    }
  }

  @Test
  void sigmoidFloat_vectorAndScalar_bitIdenticalAndWithin4FloatUlps() {
    for (double scale : new double[] {1, 10, 100}) {
      double[] z = inputs(scale);
      float[] out = new float[N];
      for (int i = 0; i < N; i++) {
        out[i] = (float) z[i];
      }
      VectorMath.sigmoid(out, N);
      int worst = 0;
      for (int i = 0; i < N; i++) {
        float zf = (float) z[i];
        assertEquals(1.0f / (1.0f + VectorMath.exp(-zf)), out[i], 0.0f, "z = " + zf);
        float expected = (float) (1.0 / (1.0 + Math.exp(-(double) zf)));
        if (Math.abs(zf) <= 80) {
          worst = Math.max(worst, Math.abs(Float.floatToIntBits(out[i])
              - Float.floatToIntBits(expected)));
        } else { // the clamp: within the smallest normal float of the true value
          assertEquals(expected, out[i], 2 * Float.MIN_NORMAL, "z = " + zf);
        }
      }
      assertTrue(worst <= 4, "scale " + scale + ": " + worst + " float ulps");
    }
  }

  @Test
  void exp_acrossTheRange_within4UlpsOfMathExp() {
    long worst = 0;
    for (double x = -708; x <= 708; x += 0.0137) {
      worst = Math.max(worst, ulps(VectorMath.exp(x), Math.exp(x)));
    }
    assertTrue(worst <= 4, worst + " ulps");
  }

  @Test
  void sigmoid_extremes_areFiniteAndSaturate() {
    double[] z = {-1e308, -800, -745, -709, -40, 0, 40, 709, 800, 1e308,
        Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY};
    double[] out = z.clone();
    VectorMath.sigmoid(out, out.length);
    for (int i = 0; i < z.length; i++) {
      assertTrue(out[i] >= 0 && out[i] <= 1, z[i] + " -> " + out[i]);
      assertEquals(VectorMath.sigmoid(z[i]), out[i], 0.0, "z = " + z[i]);
    }
    assertTrue(out[0] < 1e-300);
    assertEquals(0.5, out[5]);
    assertEquals(1.0, out[9]);
    assertTrue(out[10] < 1e-300);
    assertEquals(1.0, out[11]);
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
