package dev.sparkprop.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkprop.train.LocalObjective;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Back-propagated gradients against central finite differences, for every hidden activation x
 * output activation x loss pair that the library accepts, biases included, over 7 rows split
 * into two uneven blocks.
 *
 * <p>Bound: for every parameter, |g - fd| <= 1e-6 * max(|g|, |fd|) + 1e-9, where the absolute
 * 1e-9 covers the finite difference's own rounding (about eps * J / h = 1e-16 / 1e-6 = 1e-10).
 */
class GradientCheckTest {
  private static final double H = 1e-6;
  private static final double RELATIVE = 1e-6;
  private static final double ABSOLUTE = 1e-9;

  static Stream<Arguments> pairs() {
    List<Arguments> cases = new ArrayList<>();
    Activation[] hidden = {Activation.SIGMOID, Activation.TANH, Activation.RELU,
        Activation.LEAKY_RELU, Activation.IDENTITY};
    Activation[] mseOutputs = {Activation.SIGMOID, Activation.TANH, Activation.RELU,
        Activation.LEAKY_RELU, Activation.IDENTITY};
    for (Activation h : hidden) {
      for (Activation o : mseOutputs) {
        cases.add(Arguments.of(h, o, Loss.MSE, 3));
      }
      cases.add(Arguments.of(h, Activation.SOFTMAX, Loss.CROSS_ENTROPY, 1)); // class index
      cases.add(Arguments.of(h, Activation.SOFTMAX, Loss.CROSS_ENTROPY, 3)); // distribution
      cases.add(Arguments.of(h, Activation.SIGMOID, Loss.BINARY_CROSS_ENTROPY, 3));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} hidden, {1} output, {2}, target width {3}")
  @MethodSource("pairs")
  void lossAndGradient_everyPair_matchesCentralDifferences(Activation hiddenAct,
      Activation outputAct, Loss loss, int targetWidth) {
    NetworkSpec spec = NetworkSpec.of(new int[] {4, 6, 5, 3}, hiddenAct, outputAct, loss);
    Random random = new Random(7);
    double[] params = Init.XAVIER.initialize(spec, 11);
    for (int i = 0; i < params.length; i++) {
      params[i] += 0.1 * random.nextGaussian(); // non-zero biases too
    }
    List<Block> blocks = List.of(randomBlock(random, 5, loss, targetWidth),
        randomBlock(random, 2, loss, targetWidth));
    LocalObjective objective = new LocalObjective(new Network(spec), blocks);

    double[] gradient = new double[params.length];
    objective.lossAndGradient(params, gradient);

    double worst = 0;
    for (int i = 0; i < params.length; i++) {
      double saved = params[i];
      params[i] = saved + H;
      double plus = objective.loss(params);
      params[i] = saved - H;
      double minus = objective.loss(params);
      params[i] = saved;
      double fd = (plus - minus) / (2 * H);
      double error = Math.abs(gradient[i] - fd);
      double bound = RELATIVE * Math.max(Math.abs(gradient[i]), Math.abs(fd)) + ABSOLUTE;
      assertTrue(error <= bound, String.format(
          "parameter %d: backprop %.12g, finite difference %.12g, error %.3g > bound %.3g",
          i, gradient[i], fd, error, bound));
      worst = Math.max(worst, error / (Math.max(Math.abs(fd), 1e-3)));
    }
    assertTrue(worst < RELATIVE, "worst scaled error " + worst);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pairs")
  void lossAndGradient_oneBlockOrTwo_sameMeans(Activation hiddenAct, Activation outputAct,
      Loss loss, int targetWidth) {
    NetworkSpec spec = NetworkSpec.of(new int[] {4, 6, 3}, hiddenAct, outputAct, loss);
    Random random = new Random(3);
    double[] params = Init.XAVIER.initialize(spec, 5);
    Block all = randomBlock(random, 9, loss, targetWidth);
    Network network = new Network(spec);
    double[] g1 = new double[params.length];
    double[] g2 = new double[params.length];
    double l1 = new LocalObjective(network, List.of(all)).lossAndGradient(params, g1);
    double l2 = new LocalObjective(network, List.of(all.slice(0, 8), all.slice(8, 9)))
        .lossAndGradient(params, g2);
    assertEquals(l1, l2, 1e-14 * Math.abs(l1));
    for (int i = 0; i < g1.length; i++) {
      assertEquals(g1[i], g2[i], 1e-13 * Math.max(1, Math.abs(g1[i])), "parameter " + i);
    }
  }

  /**
   * float32 ({@link Precision#FLOAT32}): the float path's gradient against the float64 one
   * (which the central differences above check) on the same float-rounded inputs, every pair,
   * two uneven blocks (so the per-block float gradient and its double sum are both exercised).
   *
   * <p>Bound: per parameter |g32 - g64| <= 1e-4 * max_i |g64_i|, loss within 1e-5 relative.
   * Float's unit roundoff is 6e-8; each gradient value passes through three layers of products
   * of at most 6 terms and sums over at most 5 rows, so the expected error is a few 1e-7 of the
   * gradient's scale (measured: at most 1.3e-7); 1e-4 leaves room for that
   * while any indexing or transposition mistake in the float code (an O(1) error) still fails.
   * Central differences on the float loss itself would drown in its own rounding
   * (6e-8 * J / h: 1e-3 of the gradient at h = 1e-4).
   */
  @ParameterizedTest(name = "{0} hidden, {1} output, {2}, target width {3}")
  @MethodSource("pairs")
  void lossAndGradient_float32_matchesFloat64Within1e4(Activation hiddenAct,
      Activation outputAct, Loss loss, int targetWidth) {
    NetworkSpec spec = NetworkSpec.of(new int[] {4, 6, 5, 3}, hiddenAct, outputAct, loss);
    Random random = new Random(7);
    double[] params = Init.XAVIER.initialize(spec, 11);
    for (int i = 0; i < params.length; i++) {
      params[i] = (float) (params[i] + 0.1 * random.nextGaussian());
    }
    List<Block> singles = List.of(randomBlock(random, 5, loss, targetWidth).to(Precision.FLOAT32),
        randomBlock(random, 2, loss, targetWidth).to(Precision.FLOAT32));
    List<Block> doubles = singles.stream().map(b -> b.to(Precision.FLOAT64)).toList();
    Network network = new Network(spec);
    double[] g32 = new double[params.length];
    double[] g64 = new double[params.length];
    double l32 = new LocalObjective(network, singles).lossAndGradient(params, g32);
    double l64 = new LocalObjective(network, doubles).lossAndGradient(params, g64);
    assertEquals(l64, l32, 1e-5 * Math.abs(l64));
    double scale = 0;
    for (double g : g64) {
      scale = Math.max(scale, Math.abs(g));
    }
    assertTrue(scale > 1e-3, "gradient is not trivially zero");
    for (int i = 0; i < params.length; i++) {
      double error = Math.abs(g32[i] - g64[i]);
      assertTrue(error <= 1e-4 * scale, String.format(
          "parameter %d: float32 %.9g, float64 %.9g, error %.3g > %.3g", i, g32[i], g64[i],
          error, 1e-4 * scale));
    }
  }

  /** The pure-Java fallback (no native library) computes the same gradient as the default. */
  @ParameterizedTest(name = "{0} hidden, {1} output, {2}")
  @MethodSource("pairs")
  void lossAndGradient_pureJavaBlas_equalsDefaultBlas(Activation hiddenAct, Activation outputAct,
      Loss loss, int targetWidth) {
    NetworkSpec spec = NetworkSpec.of(new int[] {4, 6, 5, 3}, hiddenAct, outputAct, loss);
    Random random = new Random(21);
    double[] params = Init.AUTO.initialize(spec, 8);
    List<Block> blocks = List.of(randomBlock(random, 33, loss, targetWidth));
    double[] g1 = new double[params.length];
    double[] g2 = new double[params.length];
    double l1 = new LocalObjective(new Network(spec), blocks).lossAndGradient(params, g1);
    double l2 = new LocalObjective(new Network(spec, dev.ludovic.netlib.blas.JavaBLAS.getInstance()),
        blocks).lossAndGradient(params, g2);
    assertEquals(l1, l2, 1e-12 * Math.abs(l1));
    for (int i = 0; i < g1.length; i++) {
      assertEquals(g1[i], g2[i], 1e-12 * Math.max(1, Math.abs(g1[i])), "parameter " + i);
    }
  }

  static Block randomBlock(Random random, int rows, Loss loss, int targetWidth) {
    double[][] x = new double[rows][4];
    double[][] y = new double[rows][targetWidth];
    for (int r = 0; r < rows; r++) {
      for (int f = 0; f < 4; f++) {
        x[r][f] = random.nextGaussian();
      }
      if (loss == Loss.CROSS_ENTROPY && targetWidth == 1) {
        y[r][0] = random.nextInt(3);
      } else if (loss == Loss.CROSS_ENTROPY) {
        double sum = 0;
        for (int k = 0; k < targetWidth; k++) {
          y[r][k] = random.nextDouble();
          sum += y[r][k];
        }
        for (int k = 0; k < targetWidth; k++) {
          y[r][k] /= sum;
        }
      } else if (loss == Loss.BINARY_CROSS_ENTROPY) {
        for (int k = 0; k < targetWidth; k++) {
          y[r][k] = random.nextInt(2);
        }
      } else {
        for (int k = 0; k < targetWidth; k++) {
          y[r][k] = 0.5 * random.nextGaussian();
        }
      }
    }
    return Block.ofRows(x, y);
  }
}
