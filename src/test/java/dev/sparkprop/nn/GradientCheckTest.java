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
