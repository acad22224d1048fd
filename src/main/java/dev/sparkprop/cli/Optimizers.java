package dev.sparkprop.cli;

import dev.sparkprop.optim.GradientDescent;
import dev.sparkprop.optim.OptimizerSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * How each optimizer is read from the {@code sparkprop.optimizer.*} keys and written back for
 * provenance. To add one: put its keys and their defaults in reference.conf under
 * {@code optimizer}, its spec in {@code dev.sparkprop.optim}, and one {@link Entry} in
 * {@link #ALL}. Keys of an optimizer other than the selected one are rejected when set.
 */
final class Optimizers {
  private Optimizers() {}

  /**
   * One optimizer: its {@code optimizer.name}, the other {@code optimizer.*} keys it reads
   * (relative to {@code optimizer.}), how to build its spec, and the spec's values for those keys.
   */
  record Entry<S extends OptimizerSpec>(String name, Class<S> type, List<String> keys,
      Function<Values, S> build, Function<S, Map<String, Object>> describe) {
    Map<String, Object> describeAny(OptimizerSpec spec) {
      return describe.apply(type.cast(spec));
    }
  }

  static final List<Entry<?>> ALL = List.of(
      new Entry<>("gd", GradientDescent.class, List.of("learning-rate"),
          v -> new GradientDescent(positive(v, "learning-rate")),
          s -> Map.of("learning-rate", s.steps().learningRate())));

  /** The names accepted by {@code optimizer.name}. */
  static List<String> names() {
    return ALL.stream().map(Entry::name).toList();
  }

  /**
   * The optimizer {@code optimizer.name} selects, built from its keys.
   *
   * @param userKeys the full paths set by the file or the command line
   */
  static OptimizerSpec read(Values values, Set<String> userKeys) {
    String name = Values.oneOf("optimizer.name", values.word("optimizer.name"), names());
    Entry<?> selected = ALL.stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow();
    for (Entry<?> other : ALL) {
      for (String key : other.keys()) {
        String path = Values.path("optimizer." + key);
        if (!selected.keys().contains(key) && userKeys.contains(path)) {
          throw new ConfigException(path + " is a setting of optimizer " + other.name()
              + ", but sparkprop.optimizer.name is " + name);
        }
      }
    }
    return selected.build().apply(values);
  }

  /** {@code name} and the optimizer's own keys with the spec's values, in declaration order. */
  static Map<String, Object> describe(OptimizerSpec spec) {
    Entry<?> entry = ALL.stream().filter(e -> e.type().isInstance(spec)).findFirst()
        .orElseThrow(() -> new IllegalStateException("no configuration entry for " + spec));
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

  private static double positive(Values values, String key) {
    String k = "optimizer." + key;
    return Values.positive(k, values.number(k));
  }
}
