package dev.sparkprop.optim;

import dev.sparkprop.nn.Checks;

/** Plain gradient descent, {@code w <- w - learningRate * g}: the seed lesson's optimizer. */
public record GradientDescent(double learningRate) implements OptimizerSpec {
  public GradientDescent {
    Checks.arg(learningRate > 0 && Double.isFinite(learningRate),
        "learning rate must be a finite number > 0, got %s", learningRate);
  }

  @Override
  public String id() {
    return "gd";
  }

  @Override
  public OptimizerState newState(int numParams) {
    return new OptimizerState() {
      private long steps;

      @Override
      public void step(double[] params, double[] gradient) {
        for (int i = 0; i < params.length; i++) {
          params[i] -= learningRate * gradient[i];
        }
        steps++;
      }

      @Override
      public long steps() {
        return steps;
      }
    };
  }
}
