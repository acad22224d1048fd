package dev.sparkprop.optim;

import dev.sparkprop.nn.Checks;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** The mutable per-run state of a first-order optimizer (moments, step count). */
public interface OptimizerState {
  /**
   * Applies one step in place: {@code params} is overwritten with the new parameters.
   * {@code gradient} is the step's mean gradient, already clipped and with weight decay added;
   * it is not modified.
   */
  void step(double[] params, double[] gradient, double learningRate);

  /** Number of steps taken so far. */
  long steps();

  /** A copy of the state, for a checkpoint. */
  Snapshot snapshot();

  /**
   * Replaces the state with {@code snapshot} (from {@link #snapshot()} of a state of the same
   * optimizer and size).
   *
   * @throws IllegalArgumentException if the snapshot's arrays do not fit this state
   */
  void restore(Snapshot snapshot);

  /**
   * An optimizer's state as plain values: the step count and named arrays (moment estimates,
   * L-BFGS history). Arrays are copied in and out.
   */
  record Snapshot(String optimizer, long steps, Map<String, double[]> arrays) {
    public Snapshot {
      Objects.requireNonNull(optimizer, "optimizer");
      Checks.arg(steps >= 0, "step count must be >= 0, got %s", steps);
      Map<String, double[]> copy = new LinkedHashMap<>();
      arrays.forEach((k, v) -> copy.put(k, v.clone()));
      arrays = Collections.unmodifiableMap(copy);
    }

    /** A copy of the array {@code name} of length {@code length}. */
    public double[] array(String name, int length) {
      double[] a = arrays.get(name);
      Checks.arg(a != null, "%s state has no array '%s'", optimizer, name);
      Checks.arg(a.length == length, "%s state array '%s' has %s values, expected %s",
          optimizer, name, a.length, length);
      return a.clone();
    }

    /** Throws unless this snapshot is of optimizer {@code id}. */
    public void checkOptimizer(String id) {
      Checks.arg(optimizer.equals(id), "the saved optimizer state is of %s, not %s",
          optimizer, id);
    }
  }
}
