package dev.sparkprop.optim;

import dev.sparkprop.nn.Checks;

/**
 * Full-batch L-BFGS (Liu &amp; Nocedal 1989): each iteration (one epoch) takes a quasi-Newton
 * direction from the last {@code historySize} steps and gradient changes and a strong-Wolfe
 * line search along it, evaluating the full-data loss and gradient one or more times. It stops
 * early when the function value stops improving by more than {@code tolerance} times the
 * initial value (over the last 20 iterations), or when the gradient norm falls below
 * {@code max(tolerance * |loss|, 1e-8)}: Breeze's convergence rule, which Spark MLlib uses.
 *
 * <p>The iteration itself is Breeze's {@code breeze.optimize.LBFGS}, reached through an
 * {@link Engine} because it needs Scala, which this package does not import
 * ({@code dev.sparkprop.spark.BreezeLbfgs} is the engine).
 *
 * @param historySize corrections kept (Breeze's and Spark's {@code m}), >= 1
 * @param tolerance convergence tolerance, >= 0
 * @param weightDecay the L2 penalty coefficient, added to the minimised function
 */
public record Lbfgs(int historySize, double tolerance, double weightDecay)
    implements OptimizerSpec {
  public Lbfgs {
    Checks.arg(historySize >= 1, "L-BFGS history size must be >= 1, got %s", historySize);
    Checks.arg(tolerance >= 0 && Double.isFinite(tolerance),
        "L-BFGS tolerance must be a finite number >= 0, got %s", tolerance);
    Checks.arg(weightDecay >= 0 && Double.isFinite(weightDecay),
        "weight decay must be a finite number >= 0, got %s", weightDecay);
  }

  @Override
  public String id() {
    return "lbfgs";
  }

  /** The function minimised: overwrites {@code gradient} with its gradient at {@code x}. */
  @FunctionalInterface
  public interface Function {
    double valueAndGradient(double[] x, double[] gradient);
  }

  /** Runs the L-BFGS iteration. */
  public interface Engine {
    /** A new run from {@code x0} (not modified); evaluates {@code f} there once. */
    Run start(Lbfgs spec, Function f, double[] x0);

    /** A run continuing exactly where the run that made {@code snapshot} was. */
    Run resume(Lbfgs spec, Function f, OptimizerState.Snapshot snapshot);
  }

  /** One L-BFGS run, advanced an iteration at a time. */
  public interface Run {
    /**
     * Takes one iteration and returns true, or returns false without moving when the run had
     * already converged.
     */
    boolean iterate();

    /** A copy of the current point. */
    double[] x();

    /** The function value at {@link #x()}. */
    double value();

    /** Why the run converged (after the last iteration), or null while it goes on. */
    String convergedBecause();

    /** The whole state, for a checkpoint; {@link Engine#resume} continues from it. */
    OptimizerState.Snapshot snapshot();
  }
}
