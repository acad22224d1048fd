package dev.sparkprop.optim;

import dev.sparkprop.testing.NormalEquations;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkprop.nn.Activation;
import dev.sparkprop.nn.Block;
import dev.sparkprop.nn.Init;
import dev.sparkprop.nn.Loss;
import dev.sparkprop.nn.Network;
import dev.sparkprop.nn.NetworkSpec;
import dev.sparkprop.spark.BreezeLbfgs;
import dev.sparkprop.train.Checkpoint;
import dev.sparkprop.train.EarlyStopping;
import dev.sparkprop.train.LocalObjective;
import dev.sparkprop.train.TrainConfig;
import dev.sparkprop.train.Trainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * L-BFGS (Breeze's, through {@link BreezeLbfgs}) on problems with a known optimum: a one-layer
 * identity network with mse is least squares, so it must land on the normal equations'
 * solution, and with weight decay on ridge regression's (intercepts not penalised).
 */
class LbfgsTest {
  static final int IN = 4;
  static final int OUT = 2;
  static final int N = 300;
  static final NetworkSpec LINEAR = NetworkSpec.of(new int[] {IN, OUT}, List.of(
      Activation.IDENTITY), Loss.MSE);

  static double[][] x = new double[N][IN];
  static double[][] y = new double[N][OUT];

  static {
    Random random = new Random(2024);
    for (int n = 0; n < N; n++) {
      for (int i = 0; i < IN; i++) {
        x[n][i] = random.nextGaussian() * (i + 1) + 0.5 * i;
      }
      for (int k = 0; k < OUT; k++) {
        y[n][k] = 1.5 * x[n][0] - 0.7 * x[n][1] * (k + 1) + 0.2 * x[n][3] + 3 - k
            + random.nextGaussian();
      }
    }
  }

  static LocalObjective objective() {
    return new LocalObjective(new Network(LINEAR), blocks());
  }

  static List<Block> blocks() {
    List<Block> blocks = new ArrayList<>();
    for (int from = 0; from < N; from += 64) {
      int to = Math.min(N, from + 64);
      double[][] xs = new double[to - from][];
      double[][] ys = new double[to - from][];
      System.arraycopy(x, from, xs, 0, to - from);
      System.arraycopy(y, from, ys, 0, to - from);
      blocks.add(Block.ofRows(xs, ys));
    }
    return blocks;
  }

  /**
   * Solves {@code (A^T A / N + lambda D) theta = A^T y / N} for each output, A = [x, 1], D the
   * identity on the weights and 0 on the intercept; returns the flat parameter vector
   * (W row-major [out][in], then b).
   */
  static double[] normalEquations(double lambda) {
    int p = IN + 1;
    double[] params = new double[LINEAR.numParams()];
    for (int k = 0; k < OUT; k++) {
      double[][] m = new double[p][p + 1];
      for (int n = 0; n < N; n++) {
        double[] a = new double[p];
        System.arraycopy(x[n], 0, a, 0, IN);
        a[IN] = 1;
        for (int i = 0; i < p; i++) {
          for (int j = 0; j < p; j++) {
            m[i][j] += a[i] * a[j] / N;
          }
          m[i][p] += a[i] * y[n][k] / N;
        }
      }
      for (int i = 0; i < IN; i++) {
        m[i][i] += lambda;
      }
      double[] theta = NormalEquations.solve(m);
      System.arraycopy(theta, 0, params, LINEAR.weightOffset(0) + k * IN, IN);
      params[LINEAR.biasOffset(0) + k] = theta[IN];
    }
    return params;
  }

  static Trainer.Result fitLinear(double lambda) {
    TrainConfig config = new TrainConfig(LINEAR, new Lbfgs(10, 1e-12, lambda), 500, 0,
        EarlyStopping.OFF, 500);
    return new Trainer(config, new BreezeLbfgs()).fit(objective(), null,
        new double[LINEAR.numParams()], null);
  }

  @Test
  void fit_linearMse_convergesToNormalEquationsWithin1e6() {
    Trainer.Result r = fitLinear(0);
    assertTrue(r.stopReason().startsWith("L-BFGS converged after"), r.stopReason());
    assertTrue(r.history().size() < 100, "iterations " + r.history().size());
    double[] expected = normalEquations(0);
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      worst = Math.max(worst, Math.abs(expected[i] - r.params()[i]));
    }
    System.out.printf("L-BFGS vs normal equations: max |param diff| %.3e after %d iterations%n",
        worst, r.history().size());
    assertArrayEquals(expected, r.params(), 1e-6);
  }

  @Test
  void fit_linearMseWithWeightDecay_convergesToRidgeSolutionWithin1e6() {
    double[] ridge = normalEquations(0.5);
    assertArrayEquals(ridge, fitLinear(0.5).params(), 1e-6);
    // the decay matters: the ridge and least-squares weights differ well beyond the tolerance
    assertTrue(Math.abs(ridge[0] - normalEquations(0)[0]) > 1e-2);
  }

  static final NetworkSpec TANH = NetworkSpec.of(new int[] {IN, 6, OUT}, Activation.TANH,
      Activation.IDENTITY, Loss.MSE);

  @Test
  void fit_killedAfterCheckpointAndResumed_equalsUninterruptedRun() {
    TrainConfig config = new TrainConfig(TANH, new Lbfgs(4, 1e-12, 1e-3), 15, 0,
        EarlyStopping.OFF, 5);
    double[] init = Init.AUTO.initialize(TANH, 8);
    LocalObjective data = new LocalObjective(new Network(TANH), blocks());
    Trainer.Result whole = new Trainer(config, new BreezeLbfgs()).fit(data, null, init, null);
    assertEquals(15, whole.history().size(), whole.stopReason());

    List<Checkpoint> saved = new ArrayList<>();
    RuntimeException kill = new RuntimeException("killed");
    assertThrows(RuntimeException.class, () -> new Trainer(config, new BreezeLbfgs()).fit(data,
        null, init, e -> {
          if (e.epoch() == 12) {
            throw kill;
          }
        }, saved::add, null));
    assertEquals(10, saved.get(saved.size() - 1).epoch());
    assertTrue(saved.get(1).optimizer().arrays().containsKey("step.3"), "a full history");
    Trainer.Result resumed = new Trainer(config, new BreezeLbfgs()).fit(data, null, init, null,
        null, saved.get(1));
    assertArrayEquals(whole.params(), resumed.params(), 0.0);
    assertEquals(whole.history().get(14).trainLoss(), resumed.history().get(14).trainLoss(), 0.0);
  }

  @Test
  void run_iterations_neverEvaluateThePointOfTheLastEvaluationAgain() {
    // On Spark each evaluation is a pass over the data: Breeze's iteration re-evaluates the
    // point its line search accepted, which BreezeLbfgs answers from its last evaluation.
    LocalObjective data = new LocalObjective(new Network(TANH), blocks());
    List<double[]> points = new ArrayList<>();
    Lbfgs.Function f = (x, g) -> {
      points.add(x.clone());
      return data.lossAndGradient(x, g);
    };
    Lbfgs.Run run = new BreezeLbfgs().start(new Lbfgs(4, 1e-12, 0), f,
        Init.AUTO.initialize(TANH, 8));
    int iterations = 0;
    while (iterations < 12 && run.iterate()) {
      iterations++;
    }
    assertEquals(12, iterations);
    for (int i = 1; i < points.size(); i++) {
      assertFalse(java.util.Arrays.equals(points.get(i - 1), points.get(i)),
          "evaluation " + i + " repeats the point of evaluation " + (i - 1));
    }
    assertTrue(points.size() <= 1 + 2 * iterations, points.size() + " evaluations");
  }
}
