package dev.sparkprop.spark;

import breeze.linalg.DenseVector;
import breeze.math.MutableFiniteCoordinateField;
import breeze.optimize.DiffFunction;
import breeze.optimize.FirstOrderMinimizer;
import breeze.optimize.LBFGS;
import dev.sparkprop.nn.Checks;
import dev.sparkprop.optim.Lbfgs;
import dev.sparkprop.optim.OptimizerState;
import java.lang.invoke.CallSite;
import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import scala.Option;
import scala.Tuple2;
import scala.collection.immutable.IndexedSeq;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.BoxedUnit;

/**
 * The {@link Lbfgs.Engine}: Breeze's {@code breeze.optimize.LBFGS} minimising the trainer's
 * loss-and-gradient function, which on Spark is the distributed {@link SparkObjective} (as in
 * Spark MLlib, whose {@code RDDLossFunction} is Breeze's function). It lives here, not in the
 * Spark-free {@code optim}, because Breeze is Scala.
 *
 * <p>The run is Breeze's own iteration ({@code infiniteIterations}, one iteration per
 * {@link Lbfgs.Run#iterate}) under Breeze's default convergence rule without its iteration cap
 * (the trainer's epochs are the cap): function values converged (relative to the first value,
 * over the last 20 iterations), gradient norm converged, or the line search failed twice. A
 * snapshot holds Breeze's whole state (point, value, gradient, the correction history and the
 * convergence rule's memory), so a resumed run takes exactly the iterations the original would
 * have.
 */
public final class BreezeLbfgs implements Lbfgs.Engine {
  /** Function values the convergence rule remembers: Breeze's {@code fvalMemory} default. */
  private static final int FUNCTION_VALUE_MEMORY = 20;

  private static final MutableFiniteCoordinateField<DenseVector<Object>, Object, Object> SPACE =
      DenseVector.space_Double();

  @Override
  public Lbfgs.Run start(Lbfgs spec, Lbfgs.Function f, double[] x0) {
    LBFGS<DenseVector<Object>> lbfgs = minimizer(spec);
    DiffFunction<DenseVector<Object>> fn = diffFunction(new LastPoint(f));
    return new Run(lbfgs, fn, lbfgs.initialState(fn, vector(x0)));
  }

  @Override
  public Lbfgs.Run resume(Lbfgs spec, Lbfgs.Function f, OptimizerState.Snapshot snapshot) {
    snapshot.checkOptimizer(spec.id());
    LBFGS<DenseVector<Object>> lbfgs = minimizer(spec);
    return new Run(lbfgs, diffFunction(new LastPoint(f)), state(spec, snapshot));
  }

  private static LBFGS<DenseVector<Object>> minimizer(Lbfgs spec) {
    List<FirstOrderMinimizer.ConvergenceCheck<DenseVector<Object>>> checks = List.of(
        FirstOrderMinimizer.functionValuesConverged(spec.tolerance(), true,
            FUNCTION_VALUE_MEMORY),
        FirstOrderMinimizer.gradientConverged(spec.tolerance(), true, SPACE),
        FirstOrderMinimizer.searchFailed());
    // One flat sequence, so the rule's memory is (function values, (), ()): see state().
    FirstOrderMinimizer.ConvergenceCheck<DenseVector<Object>> check =
        new FirstOrderMinimizer.SequenceConvergenceCheck<>(seq(checks));
    return new LBFGS<>(check, spec.historySize(), SPACE);
  }

  /** One run: Breeze's iterator and its latest state. */
  private static final class Run implements Lbfgs.Run {
    private final LBFGS<DenseVector<Object>> lbfgs;
    private final scala.collection.Iterator<FirstOrderMinimizer.State<DenseVector<Object>,
        Object, Object>> states;
    private FirstOrderMinimizer.State<DenseVector<Object>, Object, Object> state;
    private String converged;

    Run(LBFGS<DenseVector<Object>> lbfgs, DiffFunction<DenseVector<Object>> fn,
        FirstOrderMinimizer.State<DenseVector<Object>, Object, Object> start) {
      this.lbfgs = lbfgs;
      this.states = lbfgs.infiniteIterations(fn, start);
      this.state = states.next(); // the iterator starts with the state it was given
      this.converged = convergence(state);
    }

    @Override
    public boolean iterate() {
      if (converged != null) {
        return false;
      }
      state = states.next();
      converged = convergence(state);
      return true;
    }

    private String convergence(FirstOrderMinimizer.State<DenseVector<Object>, Object, Object> s) {
      Option<FirstOrderMinimizer.ConvergenceReason> reason =
          lbfgs.convergenceCheck().apply(s, s.convergenceInfo());
      return reason.isDefined() ? reason.get().reason() : null;
    }

    @Override
    public double[] x() {
      return array(state.x());
    }

    @Override
    public double value() {
      return state.value();
    }

    @Override
    public String convergedBecause() {
      return converged;
    }

    @Override
    public OptimizerState.Snapshot snapshot() {
      Map<String, double[]> arrays = new LinkedHashMap<>();
      arrays.put("x", array(state.x()));
      arrays.put("gradient", array(state.grad()));
      arrays.put("adjusted_gradient", array(state.adjustedGradient()));
      arrays.put("values", new double[] {state.value(), state.adjustedValue(),
          state.initialAdjVal(), state.searchFailed() ? 1 : 0});
      IndexedSeq<?> info = (IndexedSeq<?>) state.convergenceInfo();
      List<?> functionValues = CollectionConverters.asJava((IndexedSeq<?>) info.apply(0));
      arrays.put("function_values",
          functionValues.stream().mapToDouble(v -> (Double) v).toArray());
      @SuppressWarnings("unchecked")
      LBFGS.ApproximateInverseHessian<DenseVector<Object>> history =
          (LBFGS.ApproximateInverseHessian<DenseVector<Object>>) state.history();
      List<DenseVector<Object>> steps = CollectionConverters.asJava(history.memStep());
      List<DenseVector<Object>> gradientDeltas =
          CollectionConverters.asJava(history.memGradDelta());
      for (int i = 0; i < steps.size(); i++) {
        arrays.put("step." + i, array(steps.get(i)));
        arrays.put("gradient_delta." + i, array(gradientDeltas.get(i)));
      }
      return new OptimizerState.Snapshot("lbfgs", state.iter(), arrays);
    }
  }

  /**
   * {@code f} with its last evaluation remembered. Breeze's iteration evaluates the point its
   * line search accepted a second time (FirstOrderMinimizer.calculateObjective after
   * determineStepSize), and on Spark every evaluation is a pass over the data: without this
   * an iteration cost at least 2 passes, where MLlib's (which wraps its loss in Breeze's
   * CachedDiffFunction for the same reason) costs about 1. The values are the same bits.
   */
  static final class LastPoint implements Lbfgs.Function {
    private final Lbfgs.Function f;
    private double[] point;
    private double[] gradient;
    private double value;

    LastPoint(Lbfgs.Function f) {
      this.f = f;
    }

    @Override
    public double valueAndGradient(double[] x, double[] g) {
      if (point == null || !Arrays.equals(point, x)) {
        value = f.valueAndGradient(x, g);
        point = x.clone();
        gradient = g.clone();
      } else {
        System.arraycopy(gradient, 0, g, 0, g.length);
      }
      return value;
    }
  }

  /** The Breeze state a {@link Run#snapshot()} describes. */
  private static FirstOrderMinimizer.State<DenseVector<Object>, Object, Object> state(Lbfgs spec,
      OptimizerState.Snapshot s) {
    Map<String, double[]> a = s.arrays();
    Checks.arg(a.containsKey("x") && a.containsKey("values") && a.containsKey("function_values"),
        "the saved L-BFGS state is incomplete: it has %s", a.keySet());
    int n = a.get("x").length;
    double[] values = s.array("values", 4);
    List<DenseVector<Object>> steps = new ArrayList<>();
    List<DenseVector<Object>> gradientDeltas = new ArrayList<>();
    for (int i = 0; a.containsKey("step." + i); i++) {
      steps.add(vector(s.array("step." + i, n)));
      gradientDeltas.add(vector(s.array("gradient_delta." + i, n)));
    }
    Checks.arg(steps.size() <= spec.historySize(),
        "the saved L-BFGS state has %s corrections, more than the history size %s",
        steps.size(), spec.historySize());
    LBFGS.ApproximateInverseHessian<DenseVector<Object>> history =
        new LBFGS.ApproximateInverseHessian<>(spec.historySize(), seq(steps),
            seq(gradientDeltas), SPACE);
    List<Object> functionValues = new ArrayList<>();
    for (double v : a.get("function_values")) {
      functionValues.add(v);
    }
    Object info = seq(List.of(seq(functionValues), BoxedUnit.UNIT, BoxedUnit.UNIT));
    Checks.arg(s.steps() <= Integer.MAX_VALUE, "bad L-BFGS iteration count %s", s.steps());
    return new FirstOrderMinimizer.State<>(vector(a.get("x")), values[0],
        vector(s.array("gradient", n)), values[1], vector(s.array("adjusted_gradient", n)),
        (int) s.steps(), values[2], history, info, values[3] != 0, Option.empty());
  }

  /**
   * {@code f} as a Breeze {@code DiffFunction}. javac cannot compile a Java class implementing
   * that Scala trait (its {@code double apply(T)} clashes with {@code Function1}'s
   * {@code R apply(T)}), so the JDK's lambda factory makes the instance, as scalac does for
   * Scala lambdas: {@code calculate} is ours, every other method the trait's default.
   */
  @SuppressWarnings("unchecked")
  private static DiffFunction<DenseVector<Object>> diffFunction(Lbfgs.Function f) {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      MethodHandle calculate = lookup.findStatic(BreezeLbfgs.class, "calculate",
          MethodType.methodType(Tuple2.class, Lbfgs.Function.class, DenseVector.class));
      CallSite site = LambdaMetafactory.metafactory(lookup, "calculate",
          MethodType.methodType(DiffFunction.class, Lbfgs.Function.class),
          MethodType.methodType(Tuple2.class, Object.class), calculate,
          MethodType.methodType(Tuple2.class, DenseVector.class));
      return (DiffFunction<DenseVector<Object>>) site.getTarget().invoke(f);
    } catch (Throwable e) {
      throw new IllegalStateException("cannot adapt the loss function to Breeze", e);
    }
  }

  /** Breeze's {@code calculate}: the value and gradient of {@code f} at {@code x}. */
  private static Tuple2<Object, DenseVector<Object>> calculate(Lbfgs.Function f,
      DenseVector<Object> x) {
    double[] point = array(x);
    double[] gradient = new double[point.length];
    double value = f.valueAndGradient(point, gradient);
    return new Tuple2<>(value, vector(gradient));
  }

  private static DenseVector<Object> vector(double[] values) {
    return new DenseVector<>(values.clone());
  }

  /** A copy of a Breeze vector's values (it may be a strided view). */
  private static double[] array(DenseVector<Object> v) {
    double[] out = new double[v.length()];
    for (int i = 0; i < out.length; i++) {
      out[i] = v.apply$mcD$sp(i);
    }
    return out;
  }

  private static <T> IndexedSeq<T> seq(List<T> list) {
    return CollectionConverters.asScala(list).toIndexedSeq();
  }
}
