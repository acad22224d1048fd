package dev.sparkprop.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkprop.nn.Activation;
import dev.sparkprop.nn.Loss;
import dev.sparkprop.nn.NetworkSpec;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The first steps of each optimizer, clipping, weight decay and the schedules, against values
 * worked out by hand (the arithmetic is in the comments). Adam's were also checked with this
 * Python, which follows Kingma &amp; Ba's Algorithm 1 line by line:
 * <pre>
 * lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8; w = m = v = 0.0
 * for t, g in enumerate([2.0, -1.0], 1):
 *     m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g*g
 *     w -= lr * (m/(1-b1**t)) / (math.sqrt(v/(1-b2**t)) + eps)   # -0.0999999995, -0.12663370329756846
 * </pre>
 */
class OptimizerTest {
  private static final double EXACT = 1e-15;

  private static double[] step(OptimizerState s, double[] w, double[] g, double lr) {
    s.step(w, g, lr);
    return w;
  }

  @Test
  void gradientDescent_oneStep_movesAgainstGradient() {
    OptimizerState s = new GradientDescent(0.1).newState(2);
    // [1, -2] - 0.1 * [0.5, 0.25]
    assertArrayEquals(new double[] {0.95, -2.025}, step(s, new double[] {1, -2},
        new double[] {0.5, 0.25}, 0.1), EXACT);
    assertEquals(1, s.steps());
  }

  @Test
  void gradientDescent_batchSize_namesGdOrSgd() {
    assertEquals("gd", new GradientDescent(0.1).id());
    assertEquals("sgd", new GradientDescent(StepSpec.plain(0.1).withBatchSize(32)).id());
  }

  @Test
  void momentum_classicalTwoSteps_accumulatesVelocity() {
    OptimizerState s = new Momentum(StepSpec.plain(0.1), 0.9, false).newState(2);
    double[] w = {0, 0};
    // v1 = g1 = [1, -2]; w1 = -0.1 v1 = [-0.1, 0.2]
    assertArrayEquals(new double[] {-0.1, 0.2}, step(s, w, new double[] {1, -2}, 0.1), EXACT);
    // v2 = 0.9 [1, -2] + [0.5, 0.5] = [1.4, -1.3]; w2 = w1 - 0.1 v2 = [-0.24, 0.33]
    assertArrayEquals(new double[] {-0.24, 0.33}, step(s, w, new double[] {0.5, 0.5}, 0.1),
        1e-15);
  }

  @Test
  void momentum_nesterovTwoSteps_looksAhead() {
    OptimizerState s = new Momentum(StepSpec.plain(0.1), 0.9, true).newState(2);
    double[] w = {0, 0};
    // v1 = [1, -2]; d1 = g1 + 0.9 v1 = [1.9, -3.8]; w1 = [-0.19, 0.38]
    assertArrayEquals(new double[] {-0.19, 0.38}, step(s, w, new double[] {1, -2}, 0.1), EXACT);
    // v2 = [1.4, -1.3]; d2 = [0.5, 0.5] + 0.9 v2 = [1.76, -0.67]; w2 = [-0.366, 0.447]
    assertArrayEquals(new double[] {-0.366, 0.447}, step(s, w, new double[] {0.5, 0.5}, 0.1),
        1e-15);
  }

  @Test
  void adam_twoSteps_biasCorrected() {
    OptimizerState s = new Adam(StepSpec.plain(0.1), 0.9, 0.999, 1e-8).newState(1);
    double[] w = {0};
    // m1 = 0.2, v1 = 0.004; corrected 0.2/0.1 = 2 and 0.004/0.001 = 4: step 0.1 * 2/(2 + 1e-8)
    assertEquals(-0.0999999995, step(s, w, new double[] {2}, 0.1)[0], 1e-16);
    // m2 = 0.08, v2 = 0.004996; corrected 0.08/0.19 and 0.004996/0.001999
    double expected = -0.0999999995
        - 0.1 * (0.08 / 0.19) / (Math.sqrt(0.004996 / 0.001999) + 1e-8);
    assertEquals(expected, step(s, w, new double[] {-1}, 0.1)[0], 1e-15);
    assertEquals(-0.12663370329756846, w[0], 1e-15);
    assertEquals(2, s.steps());
  }

  @Test
  void adam_firstStep_isLearningRateWhateverTheGradientScale() {
    // Bias correction makes the first step lr * g/|g| (up to epsilon); without it the step
    // would be lr * (1-beta1)/sqrt(1-beta2) = 3.16 lr.
    for (double g : new double[] {1e-3, 1.0, 1e3}) {
      OptimizerState s = new Adam(StepSpec.plain(0.01), 0.9, 0.999, 1e-8).newState(1);
      assertEquals(-0.01, step(s, new double[] {0}, new double[] {g}, 0.01)[0], 1e-7, "g=" + g);
    }
  }

  @Test
  void adam_snapshotRestored_continuesIdentically() {
    Adam adam = new Adam(StepSpec.plain(0.05), 0.8, 0.99, 1e-8);
    OptimizerState a = adam.newState(3);
    double[] w = {1, 2, 3};
    for (int k = 0; k < 3; k++) {
      a.step(w, new double[] {0.3 - k, 1.5 * k, -0.7}, 0.05);
    }
    OptimizerState b = adam.newState(3);
    b.restore(a.snapshot());
    double[] wa = w.clone();
    double[] wb = w.clone();
    a.step(wa, new double[] {0.1, -0.2, 0.3}, 0.05);
    b.step(wb, new double[] {0.1, -0.2, 0.3}, 0.05);
    assertArrayEquals(wa, wb, 0.0);
    assertEquals(4, b.steps());
  }

  @Test
  void restore_otherOptimizersState_rejected() {
    OptimizerState.Snapshot adam = new Adam(StepSpec.plain(0.1), 0.9, 0.999, 1e-8).newState(2)
        .snapshot();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Momentum(StepSpec.plain(0.1), 0.9, false).newState(2).restore(adam));
    assertEquals("the saved optimizer state is of adam, not momentum", e.getMessage());
  }

  @Test
  void clip_normAboveLimit_scaledToLimit() {
    StepSpec clip1 = new StepSpec(0.1, Schedule.constant(), 0, 1.0, 0.0);
    double[] g = {3, 4};
    assertEquals(5.0, clip1.clip(g), EXACT);
    assertArrayEquals(new double[] {0.6, 0.8}, g, EXACT);
    double[] small = {0.3, 0.4};
    clip1.clip(small);
    assertArrayEquals(new double[] {0.3, 0.4}, small, 0.0);
    double[] off = {3, 4};
    StepSpec.plain(0.1).clip(off);
    assertArrayEquals(new double[] {3, 4}, off, 0.0);
  }

  @Test
  void weightDecay_twoLayers_penalisesWeightsNotBiases() {
    // 2-3-1: W0 at [0, 6), b0 at [6, 9), W1 at [9, 12), b1 at 12
    NetworkSpec spec = NetworkSpec.of(new int[] {2, 3, 1}, Activation.TANH,
        Activation.IDENTITY, Loss.MSE);
    double[] w = new double[spec.numParams()];
    for (int i = 0; i < w.length; i++) {
      w[i] = i + 1;
    }
    WeightDecay decay = WeightDecay.of(spec, 0.1);
    // 0.1/2 * (1^2 + .. + 6^2 + 10^2 + 11^2 + 12^2) = 0.05 * (91 + 365)
    assertEquals(0.05 * 456, decay.penalty(w), 1e-12);
    double[] g = new double[w.length];
    Arrays.fill(g, 1.0);
    decay.addGradient(w, g);
    double[] expected = {1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1, 1, 1, 2.0, 2.1, 2.2, 1};
    assertArrayEquals(expected, g, 1e-15);
  }

  @Test
  void schedule_step_halvesEveryTwoEpochs() {
    Schedule s = new Schedule(Schedule.Kind.STEP, 2, 0.5, 0.0, 0);
    assertEquals(0.1, s.learningRate(0.1, 0, 1, 10), EXACT);
    assertEquals(0.1, s.learningRate(0.1, 1.75, 0.25, 10), EXACT);
    assertEquals(0.05, s.learningRate(0.1, 2, 1, 10), EXACT);
    assertEquals(0.025, s.learningRate(0.1, 5, 1, 10), EXACT);
  }

  @Test
  void schedule_exponential_continuousDecay() {
    Schedule s = new Schedule(Schedule.Kind.EXPONENTIAL, 2, 0.5, 0.0, 0);
    assertEquals(0.1 * Math.sqrt(0.5), s.learningRate(0.1, 1, 1, 10), 1e-16);
    assertEquals(0.025, s.learningRate(0.1, 4, 1, 10), 1e-16);
  }

  @Test
  void schedule_cosine_fromLearningRateToMinimum() {
    Schedule s = new Schedule(Schedule.Kind.COSINE, 1, 1.0, 0.01, 0);
    assertEquals(0.1, s.learningRate(0.1, 0, 1, 10), EXACT);
    assertEquals(0.055, s.learningRate(0.1, 5, 1, 10), 1e-15);
    assertEquals(0.01, s.learningRate(0.1, 10, 1, 10), 1e-15);
  }

  @Test
  void schedule_warmup_linearPerStepThenSchedule() {
    // 2 warm-up epochs of 4 steps each: lr * (t + 1/4) / 2, then cosine over the other 8 epochs
    Schedule s = new Schedule(Schedule.Kind.COSINE, 1, 1.0, 0.0, 2);
    assertEquals(0.1 * 0.125, s.learningRate(0.1, 0, 0.25, 10), EXACT);
    assertEquals(0.1 * 0.625, s.learningRate(0.1, 1, 0.25, 10), EXACT);
    assertEquals(0.1, s.learningRate(0.1, 1.75, 0.25, 10), EXACT);
    assertEquals(0.1, s.learningRate(0.1, 2, 0.25, 10), EXACT);
    assertEquals(0.05, s.learningRate(0.1, 6, 0.25, 10), 1e-15);
  }

  @Test
  void specs_outOfRange_rejectedNamingTheValue() {
    assertEquals("momentum must be in [0, 1), got 1.0", assertThrows(
        IllegalArgumentException.class, () -> new Momentum(StepSpec.plain(0.1), 1.0, false))
        .getMessage());
    assertEquals("beta2 must be in [0, 1), got 1.0", assertThrows(IllegalArgumentException.class,
        () -> new Adam(StepSpec.plain(0.1), 0.9, 1.0, 1e-8)).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> new StepSpec(0.1, new Schedule(Schedule.Kind.COSINE, 1, 1, 0.2, 0), 0, 0, 0))
        .getMessage().contains("minimum learning rate 0.2 must be below the learning rate 0.1"));
    assertEquals("L-BFGS history size must be >= 1, got 0", assertThrows(
        IllegalArgumentException.class, () -> new Lbfgs(0, 1e-6, 0)).getMessage());
  }
}
