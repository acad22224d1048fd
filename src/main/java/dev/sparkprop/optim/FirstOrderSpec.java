package dev.sparkprop.optim;

/**
 * An optimizer that steps along the (possibly mini-batch) gradient: {@link GradientDescent},
 * {@link Momentum}, {@link Adam}. The step size, schedule, batch size, clipping and decay are
 * its {@link StepSpec}; the update rule is its own.
 */
public sealed interface FirstOrderSpec extends OptimizerSpec
    permits GradientDescent, Momentum, Adam {
  /** How steps are taken: learning rate and schedule, batch size, clipping, weight decay. */
  StepSpec steps();

  /** A fresh state for a parameter vector of {@code numParams} values. */
  OptimizerState newState(int numParams);

  @Override
  default double weightDecay() {
    return steps().weightDecay();
  }
}
