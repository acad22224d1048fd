package dev.sparkprop.optim;

import dev.sparkprop.nn.Checks;
import java.util.Map;
import java.util.Objects;

/**
 * Gradient descent with momentum (Polyak 1964), classical or Nesterov (Sutskever et al. 2013),
 * in PyTorch's form: {@code v <- momentum * v + g}, then {@code w <- w - lr * v}, or for
 * Nesterov {@code w <- w - lr * (g + momentum * v)}; v starts at zero.
 */
public record Momentum(StepSpec steps, double momentum, boolean nesterov)
    implements FirstOrderSpec {
  public Momentum {
    Objects.requireNonNull(steps, "steps");
    Checks.arg(momentum >= 0 && momentum < 1, "momentum must be in [0, 1), got %s", momentum);
  }

  @Override
  public String id() {
    return "momentum";
  }

  @Override
  public OptimizerState newState(int numParams) {
    return new OptimizerState() {
      private final double[] velocity = new double[numParams];
      private long steps;

      @Override
      public void step(double[] params, double[] gradient, double learningRate) {
        for (int i = 0; i < params.length; i++) {
          double v = momentum * velocity[i] + gradient[i];
          velocity[i] = v;
          params[i] -= learningRate * (nesterov ? gradient[i] + momentum * v : v);
        }
        steps++;
      }

      @Override
      public long steps() {
        return steps;
      }

      @Override
      public Snapshot snapshot() {
        return new Snapshot(id(), steps, Map.of("velocity", velocity));
      }

      @Override
      public void restore(Snapshot snapshot) {
        snapshot.checkOptimizer(id());
        System.arraycopy(snapshot.array("velocity", numParams), 0, velocity, 0, numParams);
        steps = snapshot.steps();
      }
    };
  }
}
