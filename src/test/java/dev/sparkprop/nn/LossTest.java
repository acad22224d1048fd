package dev.sparkprop.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LossTest {
  @Test
  void checkOutputActivation_softmaxWithMse_rejectedNamingTheFix() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> NetworkSpec.of(new int[] {3, 4, 2}, Activation.RELU, Activation.SOFTMAX, Loss.MSE));
    assertTrue(e.getMessage().contains("mse cannot be used with a softmax"), e.getMessage());
  }

  @Test
  void checkOutputActivation_crossEntropyWithoutSoftmax_rejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> NetworkSpec.of(new int[] {3, 2}, List.of(Activation.SIGMOID), Loss.CROSS_ENTROPY));
    assertTrue(e.getMessage().contains("needs a softmax output"), e.getMessage());
  }

  @Test
  void checkOutputActivation_bceWithoutSigmoid_rejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NetworkSpec
        .of(new int[] {3, 1}, List.of(Activation.IDENTITY), Loss.BINARY_CROSS_ENTROPY));
    assertTrue(e.getMessage().contains("needs a sigmoid output"), e.getMessage());
  }

  @Test
  void networkSpec_softmaxOnHiddenLayer_rejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> NetworkSpec.of(new int[] {3, 4, 2}, List.of(Activation.SOFTMAX, Activation.SOFTMAX),
            Loss.CROSS_ENTROPY));
    assertTrue(e.getMessage().contains("hidden layer 0"), e.getMessage());
  }

  @Test
  void networkSpec_zeroLayerSize_rejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> NetworkSpec.of(new int[] {3, 0, 2}, Activation.RELU, Activation.IDENTITY, Loss.MSE));
    assertTrue(e.getMessage().contains("layer size 1 must be > 0"), e.getMessage());
  }

  @Test
  void crossEntropy_hugeLogits_finiteAndExact() {
    // z = (1000, 0): log-sum-exp gives loss 1000 for class 1 and ~0 for class 0.
    double[] z = {1000, 0, 1000, 0};
    double[] y = {1, 0};
    double[] delta = new double[4];
    double sum = Loss.CROSS_ENTROPY.outputLossAndDelta(Activation.SOFTMAX, z, 2, 2, y, 1, delta);
    assertEquals(1000.0, sum, 1e-9);
    assertEquals(1.0, z[0], 0.0);
    assertEquals(1.0, delta[0], 0.0); // p0 - 0... row 0 is class 1: delta = (1, -1)
    assertEquals(-1.0, delta[1], 0.0);
    assertEquals(0.0, delta[2], 0.0);
  }

  @Test
  void binaryCrossEntropy_hugeLogits_finiteAndExact() {
    double[] z = {800, -800};
    double[] y = {0, 0};
    double[] delta = new double[2];
    double sum = Loss.BINARY_CROSS_ENTROPY.outputLossAndDelta(Activation.SIGMOID, z, 1, 2, y, 1,
        delta);
    assertEquals(800.0, sum, 1e-9);
    assertEquals(1.0, delta[0], 0.0);
    assertEquals(0.0, delta[1], 1e-300);
  }

  @Test
  void mse_oneRow_isHalfSumOfSquares() {
    double[] z = {0.5, -1.0};
    double[] y = {1.5, 1.0};
    double[] delta = new double[2];
    double sum = Loss.MSE.outputLossAndDelta(Activation.IDENTITY, z, 2, 1, y, 2, delta);
    assertEquals(0.5 * (1.0 + 4.0), sum, 0.0);
    assertEquals(-1.0, delta[0], 0.0);
    assertEquals(-2.0, delta[1], 0.0);
  }

  @Test
  void networkSpec_layerTooLargeForOneArray_rejectedNotOverflowed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> NetworkSpec.of(new int[] {65536, 65536, 1}, Activation.RELU, Activation.IDENTITY,
            Loss.MSE));
    assertTrue(e.getMessage().contains("4295032832 parameters"), e.getMessage());
  }

  @Test
  void crossEntropy_classIndexOutOfRange_rejected() {
    double[] z = {0.1, 0.2, 0.3};
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Loss.CROSS_ENTROPY.outputLossAndDelta(Activation.SOFTMAX, z, 3, 1,
            new double[] {3}, 1, new double[3]));
    assertTrue(e.getMessage().contains("class index 3.0 is not an integer in 0..2"),
        e.getMessage());
  }
}
