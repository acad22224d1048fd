package dev.sparkprop.optim;

import java.util.Map;
import java.util.Objects;

/**
 * Gradient descent, {@code w <- w - learningRate * g}: full-batch ({@code gd}, the seed
 * lesson's optimizer, one step per epoch) or on mini-batches ({@code sgd}).
 */
public record GradientDescent(StepSpec steps) implements FirstOrderSpec {
  public GradientDescent {
    Objects.requireNonNull(steps, "steps");
  }

  /** Full-batch gradient descent at a constant learning rate. */
  public GradientDescent(double learningRate) {
    this(StepSpec.plain(learningRate));
  }

  @Override
  public String id() {
    return steps.batchSize() == 0 ? "gd" : "sgd";
  }

  @Override
  public OptimizerState newState(int numParams) {
    String id = id();
    return new OptimizerState() {
      private long steps;

      @Override
      public void step(double[] params, double[] gradient, double learningRate) {
        for (int i = 0; i < params.length; i++) {
          params[i] -= learningRate * gradient[i];
        }
        steps++;
      }

      @Override
      public long steps() {
        return steps;
      }

      @Override
      public Snapshot snapshot() {
        return new Snapshot(id, steps, Map.of());
      }

      @Override
      public void restore(Snapshot snapshot) {
        snapshot.checkOptimizer(id);
        steps = snapshot.steps();
      }
    };
  }
}
