package dev.sparkprop.optim;

/**
 * An immutable description of an optimizer. A first-order one ({@link FirstOrderSpec}) makes a
 * fresh mutable {@link OptimizerState} per run, so nothing leaks from one run into the next;
 * {@link Lbfgs} runs on an {@link Lbfgs.Engine}.
 */
public sealed interface OptimizerSpec permits FirstOrderSpec, Lbfgs {
  /** The name used in configuration files, e.g. {@code adam}. */
  String id();

  /**
   * The L2 penalty coefficient lambda: {@code lambda/2 * sum W^2} over the weight matrices,
   * biases excluded ({@link WeightDecay}); 0 for none.
   */
  double weightDecay();
}
