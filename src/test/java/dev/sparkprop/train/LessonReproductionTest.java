package dev.sparkprop.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sparkprop.nn.Activation;
import dev.sparkprop.nn.Block;
import dev.sparkprop.nn.LayerSpec;
import dev.sparkprop.nn.Loss;
import dev.sparkprop.nn.Network;
import dev.sparkprop.nn.NetworkSpec;
import dev.sparkprop.optim.GradientDescent;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reproduces the seed lesson ({@code backprop-numpy-lesson.md}): its network
 * {@code DNN(hidden_depth=5, num_neuron=32, input=10, output=2)}, sigmoid everywhere, MSE, one
 * sample, plain gradient descent with alpha = 0.01 for 100 epochs, against values that the
 * lesson's OWN numpy code produced ({@code src/test/resources/lesson/make_reference.py}, which
 * wrote {@code reference.json}; regenerate with
 * {@code python3 src/test/resources/lesson/make_reference.py}).
 *
 * <p>The lesson stores W as {@code (in, out)} and computes {@code W^T x + b}; sparkprop stores
 * W row-major {@code [out, in]} ({@link NetworkSpec}), so the lesson's {@code W[i][o]} goes to
 * {@code params[weightOffset(l) + o * in + i]}.
 *
 * <p>The lesson prints {@code 1/2 * mean_k (h_k - y_k)^2}; sparkprop's objective is
 * {@code J = (1/N) sum_n 1/2 sum_k (h_nk - y_nk)^2}, so with N = 1 the lesson's number is
 * {@code J / outputs} (outputs = 2). Both are taken at the parameters an epoch starts from.
 *
 * <p>Tolerances (not to be loosened: both sides do the same double arithmetic, differing only
 * in summation order and the last bit of exp, so agreement is near machine precision):
 * <ul>
 *   <li>loss: RELATIVE, {@code |J/2 - lesson| <= 1e-10 * |lesson|} for each of the 100 epochs
 *       (the losses are 0.16 to 0.34, so this is also below 1e-10 absolute);</li>
 *   <li>final weights and biases: ABSOLUTE, {@code |ours - lesson| <= 1e-10} for each of the
 *       5,698 parameters (median |value| 0.007, largest 0.18, so 1e-10 sits about 7 to 9
 *       digits below them and far above the measured 1e-16 rounding noise).</li>
 * </ul>
 */
class LessonReproductionTest {
  private static final double LOSS_RELATIVE_TOLERANCE = 1e-10;
  private static final double PARAM_ABSOLUTE_TOLERANCE = 1e-10;
  private static final double LESSON_ALPHA = 0.01;

  private static JsonNode reference;
  private static NetworkSpec spec;

  @BeforeAll
  static void loadReference() throws IOException {
    try (InputStream in = LessonReproductionTest.class.getResourceAsStream("/lesson/reference.json")) {
      assertNotNull(in, "missing test resource lesson/reference.json; run "
          + "python3 src/test/resources/lesson/make_reference.py");
      reference = new ObjectMapper().readTree(in);
    }
    int input = reference.get("input").asInt();
    int width = reference.get("num_neuron").asInt();
    int depth = reference.get("hidden_depth").asInt();
    int output = reference.get("output").asInt();
    // The lesson's DNN: an input layer, hidden_depth hidden layers, an output layer.
    int[] sizes = new int[depth + 3];
    sizes[0] = input;
    for (int i = 1; i <= depth + 1; i++) {
      sizes[i] = width;
    }
    sizes[depth + 2] = output;
    spec = NetworkSpec.of(sizes, Activation.SIGMOID, Activation.SIGMOID, Loss.MSE);
    assertEquals(NetworkSpec.of(new int[] {10, 32, 32, 32, 32, 32, 32, 2}, Activation.SIGMOID,
        Activation.SIGMOID, Loss.MSE), spec, "reference.json is not the lesson's network");
    assertEquals(LESSON_ALPHA, reference.get("alpha").asDouble());
  }

  @Test
  void fit_lessonNetworkFromLessonWeights_matchesNumpyLossesAndWeights() {
    Trainer.Result result = fitLesson(LESSON_ALPHA);

    JsonNode lessonLosses = reference.get("losses");
    int epochs = reference.get("epochs").asInt();
    assertEquals(epochs, lessonLosses.size());
    assertEquals(epochs, result.history().size());
    double maxLossAbs = 0;
    double maxLossRel = 0;
    for (int e = 0; e < epochs; e++) {
      double lesson = lessonLosses.get(e).asDouble();
      double ours = result.history().get(e).trainLoss() / spec.outputSize();
      double abs = Math.abs(ours - lesson);
      maxLossAbs = Math.max(maxLossAbs, abs);
      maxLossRel = Math.max(maxLossRel, abs / Math.abs(lesson));
      assertTrue(abs <= LOSS_RELATIVE_TOLERANCE * Math.abs(lesson), String.format(Locale.ROOT,
          "epoch %d: sparkprop J/%d = %s, lesson printed %s (|diff| %.3e)", e,
          spec.outputSize(), ours, lesson, abs));
    }

    double[] lessonFinal = lessonParams("final_weights", "final_biases");
    ParamDiff diff = maxParamDiff(result.params(), lessonFinal);
    System.out.printf(Locale.ROOT, "lesson reproduction: max |loss diff| %.3e (relative %.3e) "
        + "over %d epochs; max |param diff| %.3e at %s over %d parameters%n",
        maxLossAbs, maxLossRel, epochs, diff.max, diff.where, lessonFinal.length);
    assertTrue(diff.max <= PARAM_ABSOLUTE_TOLERANCE, String.format(Locale.ROOT,
        "final parameters differ from the lesson's by %.3e at %s (ours %s, lesson %s)",
        diff.max, diff.where, result.params()[diff.index], lessonFinal[diff.index]));
  }

  /** The comparison is sharp: a learning rate 1% off the lesson's is caught. */
  @Test
  void fit_learningRateOnePercentOff_finalWeightsDoNotMatchNumpy() {
    Trainer.Result result = fitLesson(0.0101);

    ParamDiff diff = maxParamDiff(result.params(), lessonParams("final_weights", "final_biases"));
    System.out.printf(Locale.ROOT, "learning rate 0.0101: max |param diff| %.3e at %s%n",
        diff.max, diff.where);
    assertTrue(diff.max > PARAM_ABSOLUTE_TOLERANCE, String.format(Locale.ROOT,
        "alpha 0.0101 should not reproduce the lesson's alpha 0.01 weights, max diff %.3e",
        diff.max));
    // The first loss is taken before any step, so it still agrees; the second must not.
    double lesson1 = reference.get("losses").get(1).asDouble();
    double ours1 = result.history().get(1).trainLoss() / spec.outputSize();
    assertTrue(Math.abs(ours1 - lesson1) > LOSS_RELATIVE_TOLERANCE * Math.abs(lesson1),
        "alpha 0.0101 should change the epoch-1 loss");
  }

  /** Trains the lesson's network from the lesson's initial weights on its single sample. */
  private static Trainer.Result fitLesson(double learningRate) {
    double[] x = doubles(reference.get("x"));
    double[] y = doubles(reference.get("y"));
    Block sample = Block.ofRows(new double[][] {x}, new double[][] {y});
    LocalObjective objective = new LocalObjective(new Network(spec), List.of(sample));
    double[] initial = lessonParams("initial_weights", "initial_biases");
    return new Trainer(new GradientDescent(learningRate), reference.get("epochs").asInt())
        .fit(objective, null, initial, null);
  }

  /**
   * sparkprop's flat parameter vector from the lesson's per-layer {@code W (in, out)} and
   * {@code b (out,)}: W is transposed into row-major {@code [out, in]}.
   */
  private static double[] lessonParams(String weightsKey, String biasesKey) {
    JsonNode weights = reference.get(weightsKey);
    JsonNode biases = reference.get(biasesKey);
    assertEquals(spec.numLayers(), weights.size(), weightsKey);
    assertEquals(spec.numLayers(), biases.size(), biasesKey);
    double[] params = new double[spec.numParams()];
    for (int l = 0; l < spec.numLayers(); l++) {
      LayerSpec layer = spec.layer(l);
      int in = layer.inputs();
      int out = layer.outputs();
      JsonNode w = weights.get(l);
      assertEquals(in, w.size(), weightsKey + "[" + l + "] rows (lesson's W is (in, out))");
      int wOff = spec.weightOffset(l);
      for (int i = 0; i < in; i++) {
        JsonNode row = w.get(i);
        assertEquals(out, row.size(), weightsKey + "[" + l + "][" + i + "] columns");
        for (int o = 0; o < out; o++) {
          params[wOff + o * in + i] = row.get(o).asDouble();
        }
      }
      JsonNode b = biases.get(l);
      assertEquals(out, b.size(), biasesKey + "[" + l + "]");
      int bOff = spec.biasOffset(l);
      for (int o = 0; o < out; o++) {
        params[bOff + o] = b.get(o).asDouble();
      }
    }
    return params;
  }

  private record ParamDiff(double max, int index, String where) {}

  private static ParamDiff maxParamDiff(double[] ours, double[] lesson) {
    assertEquals(lesson.length, ours.length);
    double max = -1;
    int at = 0;
    for (int i = 0; i < ours.length; i++) {
      double d = Math.abs(ours[i] - lesson[i]);
      if (Double.isNaN(d)) {
        return new ParamDiff(Double.NaN, i, describe(i));
      }
      if (d > max) {
        max = d;
        at = i;
      }
    }
    return new ParamDiff(max, at, describe(at));
  }

  /** "layer l W[o][i]" or "layer l b[o]" for a flat index, in sparkprop's [out, in] terms. */
  private static String describe(int index) {
    for (int l = spec.numLayers() - 1; l >= 0; l--) {
      int wOff = spec.weightOffset(l);
      if (index >= wOff) {
        int bOff = spec.biasOffset(l);
        int in = spec.layer(l).inputs();
        return index >= bOff
            ? "layer " + l + " b[" + (index - bOff) + "]"
            : "layer " + l + " W[" + (index - wOff) / in + "][" + (index - wOff) % in + "]";
      }
    }
    throw new IllegalArgumentException("index " + index);
  }

  private static double[] doubles(JsonNode array) {
    double[] v = new double[array.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = array.get(i).asDouble();
    }
    return v;
  }
}
