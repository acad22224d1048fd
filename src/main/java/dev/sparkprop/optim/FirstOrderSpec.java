package dev.sparkprop.optim;

import java.io.Serializable;

/**
 * An optimizer that steps along the (possibly mini-batch) gradient: {@link GradientDescent},
 * {@link Momentum}, {@link Adam}. The step size, schedule, batch size, clipping and decay are
 * its {@link StepSpec}; the update rule is its own. Serializable: local SGD ships it to the
 * tasks, which step their replicas with it.
 */
public sealed interface FirstOrderSpec extends OptimizerSpec, Serializable
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
