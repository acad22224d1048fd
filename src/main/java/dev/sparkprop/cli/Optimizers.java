package dev.sparkprop.cli;

import dev.sparkprop.optim.Adam;
import dev.sparkprop.optim.GradientDescent;
import dev.sparkprop.optim.Lbfgs;
import dev.sparkprop.optim.Momentum;
import dev.sparkprop.optim.OptimizerSpec;
import dev.sparkprop.optim.Schedule;
import dev.sparkprop.optim.StepSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * How each optimizer is read from the {@code sparkprop.optimizer.*} keys and written back for
 * provenance. To add one: put its keys and their defaults in reference.conf under
 * {@code optimizer}, its spec in {@code dev.sparkprop.optim}, and one {@link Entry} in
 * {@link #ALL}. Keys of an optimizer other than the selected one are checked and ignored, with
 * a warning, when set. The schedule keys are every first-order optimizer's; a schedule ignores
 * those it does not use.
 */
final class Optimizers {
  private Optimizers() {}

  /**
   * One optimizer: its {@code optimizer.name} (the spec's {@link OptimizerSpec#id()}), the
   * other {@code optimizer.*} keys it reads (relative to {@code optimizer.}), how to build its
   * spec, and the spec's values for those keys.
   */
  record Entry<S extends OptimizerSpec>(String name, Class<S> type, List<String> keys,
      Function<Values, S> build, Function<S, Map<String, Object>> describe) {
    Map<String, Object> describeAny(OptimizerSpec spec) {
      return describe.apply(type.cast(spec));
    }
  }

  /** The keys of every first-order optimizer: {@link StepSpec} but the batch size. */
  private static final List<String> STEP_KEYS = List.of("learning-rate", "schedule",
      "schedule-epochs", "schedule-rate", "min-learning-rate", "warmup-epochs", "clip-norm",
      "weight-decay");

  static final List<Entry<?>> ALL = List.of(
      new Entry<>("gd", GradientDescent.class, STEP_KEYS,
          v -> new GradientDescent(steps(v, 0)),
          s -> steps(s.steps(), false)),
      new Entry<>("sgd", GradientDescent.class, keys(STEP_KEYS, "batch-size", "local-steps"),
          v -> new GradientDescent(local(v, steps(v, batchSize(v, 1)))),
          s -> steps(s.steps(), true)),
      new Entry<>("momentum", Momentum.class, keys(STEP_KEYS, "batch-size", "local-steps",
          "momentum", "nesterov"),
          v -> new Momentum(local(v, steps(v, batchSize(v, 0))), fraction(v, "momentum"),
              v.bool("optimizer.nesterov")),
          s -> with(steps(s.steps(), true), "momentum", s.momentum(), "nesterov",
              s.nesterov())),
      new Entry<>("adam", Adam.class, keys(STEP_KEYS, "batch-size", "local-steps", "beta1",
          "beta2", "epsilon"),
          v -> new Adam(local(v, steps(v, batchSize(v, 0))), fraction(v, "beta1"),
              fraction(v, "beta2"), positive(v, "epsilon")),
          s -> with(steps(s.steps(), true), "beta1", s.beta1(), "beta2", s.beta2(), "epsilon",
              s.epsilon())),
      new Entry<>("lbfgs", Lbfgs.class, List.of("history-size", "tolerance", "weight-decay"),
          v -> new Lbfgs(Values.atLeast("optimizer.history-size",
              v.integer("optimizer.history-size"), 1), nonNegative(v, "tolerance"),
              nonNegative(v, "weight-decay")),
          s -> with(new LinkedHashMap<>(), "history-size", s.historySize(), "tolerance",
              s.tolerance(), "weight-decay", s.weightDecay())));

  /** The names accepted by {@code optimizer.name}. */
  static List<String> names() {
    return ALL.stream().map(Entry::name).toList();
  }

  /**
   * The optimizer {@code optimizer.name} selects, built from its keys. A key of another
   * optimizer that the file or the command line sets (a learning rate left in a file when the
   * command line switches to lbfgs, say) does not apply: it is reported to {@code warnings}
   * as one line and ignored, once its value has been checked by an optimizer that reads it, so
   * an invalid value still fails.
   *
   * @param userKeys the full paths set by the file or the command line
   */
  static OptimizerSpec read(Values values, Set<String> userKeys, Consumer<String> warnings) {
    String name = Values.oneOf("optimizer.name", values.word("optimizer.name"), names());
    Entry<?> selected = entry(name);
    for (String key : otherKeys(selected)) {
      String path = Values.path("optimizer." + key);
      if (userKeys.contains(path)) {
        checkForSomeUser(values, key);
        warnings.accept(path + " is a setting of optimizer " + users(key) + ", not of "
            + name + " (sparkprop.optimizer.name); it is ignored");
      }
    }
    return selected.build().apply(values);
  }

  /** The {@code optimizer.*} keys other optimizers read and {@code selected} does not. */
  private static List<String> otherKeys(Entry<?> selected) {
    List<String> out = new ArrayList<>();
    for (Entry<?> other : ALL) {
      for (String key : other.keys()) {
        if (!selected.keys().contains(key) && !out.contains(key)) {
          out.add(key);
        }
      }
    }
    return out;
  }

  /**
   * Builds the optimizers that read {@code key} until one accepts the configuration; if none
   * does, throws the first one's error (the value is invalid for every optimizer that reads it).
   */
  private static void checkForSomeUser(Values values, String key) {
    ConfigException first = null;
    for (Entry<?> e : ALL) {
      if (!e.keys().contains(key)) {
        continue;
      }
      try {
        e.build().apply(values);
        return;
      } catch (ConfigException problem) {
        if (first == null) {
          first = problem;
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /** {@code name} and the optimizer's own keys with the spec's values, in declaration order. */
  static Map<String, Object> describe(OptimizerSpec spec) {
    Entry<?> entry = entry(spec.id());
    Map<String, Object> values = entry.describeAny(spec);
    if (!values.keySet().equals(Set.copyOf(entry.keys()))) {
      throw new IllegalStateException("optimizer " + entry.name() + " describes keys "
          + values.keySet() + " but declares " + entry.keys());
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", entry.name());
    for (String key : entry.keys()) {
      out.put(key, values.get(key));
    }
    return out;
  }

  /** Every {@code optimizer.*} key some optimizer reads, as full paths, {@code name} included. */
  static List<String> allKeys() {
    List<String> out = new ArrayList<>();
    out.add(Values.path("optimizer.name"));
    for (Entry<?> e : ALL) {
      for (String key : e.keys()) {
        String path = Values.path("optimizer." + key);
        if (!out.contains(path)) {
          out.add(path);
        }
      }
    }
    return out;
  }

  private static Entry<?> entry(String name) {
    return ALL.stream().filter(e -> e.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalStateException("no configuration entry for " + name));
  }

  /** The optimizers that read {@code key}, as "a", "a or b" or "a, b or c". */
  private static String users(String key) {
    List<String> names = ALL.stream().filter(e -> e.keys().contains(key)).map(Entry::name)
        .toList();
    return names.size() == 1 ? names.get(0) : String.join(", ",
        names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
  }

  private static StepSpec steps(Values v, int batchSize) {
    double learningRate = positive(v, "learning-rate");
    Schedule.Kind kind = v.parse("optimizer.schedule",
        "must be one of constant, step, exponential, cosine", Schedule.Kind::fromId);
    int decayEpochs = Values.atLeast("optimizer.schedule-epochs",
        v.integer("optimizer.schedule-epochs"), 1);
    double rate = Values.factor("optimizer.schedule-rate", v.number("optimizer.schedule-rate"));
    double min = nonNegative(v, "min-learning-rate");
    if (kind == Schedule.Kind.COSINE && min >= learningRate) {
      throw new ConfigException(Values.path("optimizer.min-learning-rate") + " must be below "
          + Values.path("optimizer.learning-rate") + " (" + Values.show(learningRate)
          + "), got " + Values.show(min));
    }
    int warmup = Values.atLeast("optimizer.warmup-epochs",
        v.integer("optimizer.warmup-epochs"), 0);
    return new StepSpec(learningRate, new Schedule(kind, decayEpochs, rate, min, warmup),
        batchSize, nonNegative(v, "clip-norm"), nonNegative(v, "weight-decay"));
  }

  private static Map<String, Object> steps(StepSpec s, boolean withBatchSize) {
    Map<String, Object> m = new LinkedHashMap<>();
    Schedule schedule = s.schedule();
    m.put("learning-rate", s.learningRate());
    m.put("schedule", schedule.kind().id());
    m.put("schedule-epochs", schedule.decayEpochs());
    m.put("schedule-rate", schedule.decayRate());
    m.put("min-learning-rate", schedule.minLearningRate());
    m.put("warmup-epochs", schedule.warmupEpochs());
    m.put("clip-norm", s.clipNorm());
    m.put("weight-decay", s.weightDecay());
    if (withBatchSize) {
      m.put("batch-size", s.batchSize());
      m.put("local-steps", s.localSteps());
    }
    return m;
  }

  private static Map<String, Object> with(Map<String, Object> m, Object... keyValues) {
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put((String) keyValues[i], keyValues[i + 1]);
    }
    return m;
  }

  private static List<String> keys(List<String> base, String... more) {
    List<String> out = new ArrayList<>(base);
    out.addAll(List.of(more));
    return List.copyOf(out);
  }

  /** {@code s} with {@code optimizer.local-steps} (>= 1; above 1 only with mini-batches). */
  private static StepSpec local(Values values, StepSpec s) {
    int k = Values.atLeast("optimizer.local-steps", values.integer("optimizer.local-steps"), 1);
    if (k > 1 && s.batchSize() == 0) {
      throw new ConfigException(Values.path("optimizer.local-steps") + " = " + k
          + " needs mini-batches; set " + Values.path("optimizer.batch-size") + " > 0");
    }
    return s.withLocalSteps(k);
  }

  private static int batchSize(Values values, int min) {
    return Values.atLeast("optimizer.batch-size", values.integer("optimizer.batch-size"), min);
  }

  private static double positive(Values values, String key) {
    String k = "optimizer." + key;
    return Values.positive(k, values.number(k));
  }

  private static double nonNegative(Values values, String key) {
    String k = "optimizer." + key;
    return Values.nonNegative(k, values.number(k));
  }

  private static double fraction(Values values, String key) {
    String k = "optimizer." + key;
    return Values.fraction(k, values.number(k));
  }
}
