package dev.sparkprop.optim;

import dev.sparkprop.nn.Checks;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Adam (Kingma &amp; Ba 2014, Algorithm 1), bias-corrected: with step count t,
 * {@code m <- beta1 m + (1-beta1) g}, {@code v <- beta2 v + (1-beta2) g^2},
 * {@code w <- w - lr * (m / (1-beta1^t)) / (sqrt(v / (1-beta2^t)) + epsilon)}. Weight decay,
 * when set, is the L2 penalty added to g (PyTorch's {@code Adam(weight_decay)}), not AdamW's
 * decoupled decay.
 */
public record Adam(StepSpec steps, double beta1, double beta2, double epsilon)
    implements FirstOrderSpec {
  public Adam {
    Objects.requireNonNull(steps, "steps");
    Checks.arg(beta1 >= 0 && beta1 < 1, "beta1 must be in [0, 1), got %s", beta1);
    Checks.arg(beta2 >= 0 && beta2 < 1, "beta2 must be in [0, 1), got %s", beta2);
    Checks.arg(epsilon > 0 && Double.isFinite(epsilon),
        "epsilon must be a finite number > 0, got %s", epsilon);
  }

  @Override
  public String id() {
    return "adam";
  }

  @Override
  public OptimizerState newState(int numParams) {
    return new OptimizerState() {
      private final double[] m = new double[numParams];
      private final double[] v = new double[numParams];
      private long t;

      @Override
      public void step(double[] params, double[] gradient, double learningRate) {
        t++;
        double c1 = 1 - Math.pow(beta1, t);
        double c2 = 1 - Math.pow(beta2, t);
        for (int i = 0; i < params.length; i++) {
          double g = gradient[i];
          m[i] = beta1 * m[i] + (1 - beta1) * g;
          v[i] = beta2 * v[i] + (1 - beta2) * g * g;
          params[i] -= learningRate * (m[i] / c1) / (Math.sqrt(v[i] / c2) + epsilon);
        }
      }

      @Override
      public long steps() {
        return t;
      }

      @Override
      public Snapshot snapshot() {
        Map<String, double[]> arrays = new LinkedHashMap<>();
        arrays.put("m", m);
        arrays.put("v", v);
        return new Snapshot(id(), t, arrays);
      }

      @Override
      public void restore(Snapshot snapshot) {
        snapshot.checkOptimizer(id());
        System.arraycopy(snapshot.array("m", numParams), 0, m, 0, numParams);
        System.arraycopy(snapshot.array("v", numParams), 0, v, 0, numParams);
        t = snapshot.steps();
      }
    };
  }
}
