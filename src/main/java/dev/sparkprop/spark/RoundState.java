package dev.sparkprop.spark;

import dev.sparkprop.optim.OptimizerState;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * A local SGD round's starting state on its way to the tasks: the optimizer's name, step count
 * and array names (a few bytes, in a closure or a message) beside the arrays themselves, laid
 * out as the parameters first and then the state's arrays in {@link #names} order (shipped as
 * raw doubles). The one place that packs them on the driver and unpacks them in a task, whether
 * a round is its own job or a message of the step exchange.
 */
record RoundState(String optimizer, long steps, String[] names) implements Serializable {
  static RoundState of(OptimizerState.Snapshot state) {
    return new RoundState(state.optimizer(), state.steps(),
        state.arrays().keySet().toArray(new String[0]));
  }

  /** {@code params}, then {@code state}'s arrays in {@link #names} order (no copies). */
  double[][] arrays(double[] params, OptimizerState.Snapshot state) {
    double[][] arrays = new double[names.length + 1][];
    arrays[0] = params;
    for (int a = 0; a < names.length; a++) {
      arrays[a + 1] = state.arrays().get(names[a]);
    }
    return arrays;
  }

  /** The snapshot again, from arrays laid out as {@link #arrays} lays them out. */
  OptimizerState.Snapshot snapshot(IntFunction<double[]> arrays) {
    Map<String, double[]> m = new LinkedHashMap<>();
    for (int a = 0; a < names.length; a++) {
      m.put(names[a], arrays.apply(a + 1));
    }
    return new OptimizerState.Snapshot(optimizer, steps, m);
  }
}
