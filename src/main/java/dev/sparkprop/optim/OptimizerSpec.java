package dev.sparkprop.optim;

/**
 * An immutable description of an optimizer. Each run asks it for a fresh mutable
 * {@link OptimizerState}, so nothing leaks from one run into the next.
 */
public sealed interface OptimizerSpec permits GradientDescent {
  /** The name used in configuration files, e.g. {@code gd}. */
  String id();

  /** A fresh state for a parameter vector of {@code numParams} values. */
  OptimizerState newState(int numParams);
}
