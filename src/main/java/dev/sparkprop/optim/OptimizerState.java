package dev.sparkprop.optim;

/** The mutable per-run state of an optimizer (moments, step count). */
public interface OptimizerState {
  /**
   * Applies one step in place: {@code params} is overwritten with the new parameters. {@code
   * gradient} is the mean gradient over the step's rows and is not modified.
   */
  void step(double[] params, double[] gradient);

  /** Number of steps taken so far. */
  long steps();
}
