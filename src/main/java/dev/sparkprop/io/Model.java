package dev.sparkprop.io;

import dev.sparkprop.nn.Checks;
import dev.sparkprop.nn.Loss;
import dev.sparkprop.nn.NetworkSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A trained network as saved by {@link ModelStore}: its spec, the flat parameter vector (layout
 * in {@link NetworkSpec}), the input/label scaling, and free JSON metadata (task, feature
 * columns, label column, class names, provenance such as versions, seed and the effective
 * configuration).
 *
 * <p>{@code params} is copied in and out. The metadata is deep-copied into an unmodifiable map
 * of JSON values in the form {@link ModelStore#load} gives back (whole numbers as
 * {@link Long}, other numbers as {@link Double}), so a saved model loads back equal.
 */
public record Model(NetworkSpec spec, double[] params, Scaling scaling,
    Map<String, Object> metadata) {
  /** Keys of metadata.json that describe the network; the metadata map may not use them. */
  public static final Set<String> RESERVED_KEYS =
      Set.of("format_version", "layers", "activations", "loss", "num_params");

  /**
   * @param scaling null for {@link Scaling#NONE}
   * @param metadata null for none; values: null, String, Boolean, Number, List, Map
   */
  public Model {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(params, "params");
    Checks.arg(params.length == spec.numParams(),
        "parameter vector has %s values, the network needs %s", params.length, spec.numParams());
    params = params.clone();
    for (int i = 0; i < params.length; i++) {
      Checks.arg(Double.isFinite(params[i]), "parameter %s is %s; a model must be finite", i,
          params[i]);
    }
    scaling = scaling == null ? Scaling.NONE : scaling;
    if (scaling.scalesFeatures()) {
      Checks.arg(scaling.featureMean().length == spec.inputSize(),
          "feature scaling has %s values but the network has %s inputs",
          scaling.featureMean().length, spec.inputSize());
    }
    if (scaling.scalesLabels()) {
      Checks.arg(spec.loss() == Loss.MSE,
          "label scaling applies to regression (loss mse) only, not %s", spec.loss().id());
      Checks.arg(scaling.labelMean().length == spec.outputSize(),
          "label scaling has %s values but the network has %s outputs",
          scaling.labelMean().length, spec.outputSize());
    }
    Map<String, Object> copy = new LinkedHashMap<>();
    if (metadata != null) {
      for (Map.Entry<String, Object> e : metadata.entrySet()) {
        String key = Objects.requireNonNull(e.getKey(), "metadata key");
        Checks.arg(!RESERVED_KEYS.contains(key),
            "metadata key '%s' is reserved for the network description", key);
        copy.put(key, jsonValue(e.getValue(), key));
      }
    }
    metadata = Collections.unmodifiableMap(copy);
  }

  /** A copy of the flat parameter vector. */
  @Override
  public double[] params() {
    return params.clone();
  }

  /** The metadata's {@code "task"} (e.g. "classification"), or null if absent. */
  public String task() {
    return metadata.get("task") instanceof String s ? s : null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Model m && spec.equals(m.spec) && Arrays.equals(params, m.params)
        && scaling.equals(m.scaling) && metadata.equals(m.metadata);
  }

  @Override
  public int hashCode() {
    return Objects.hash(spec, Arrays.hashCode(params), scaling, metadata);
  }

  @Override
  public String toString() {
    return "Model[layers=" + Arrays.toString(spec.sizes()) + ", activations="
        + spec.activationIds() + ", loss=" + spec.loss().id() + ", params=" + params.length
        + ", scaling=" + scaling + ", metadata=" + metadata.keySet() + "]";
  }

  /** An unmodifiable copy of a JSON value in canonical form; {@code path} names it in errors. */
  private static Object jsonValue(Object value, String path) {
    if (value == null || value instanceof String || value instanceof Boolean) {
      return value;
    }
    if (value instanceof Long || value instanceof Integer || value instanceof Short
        || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      Checks.arg(Double.isFinite(d), "metadata value '%s' is %s; JSON holds only finite numbers",
          path, d);
      return d;
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      for (int i = 0; i < list.size(); i++) {
        copy.add(jsonValue(list.get(i), path + "[" + i + "]"));
      }
      return Collections.unmodifiableList(copy);
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        Checks.arg(e.getKey() instanceof String, "metadata map '%s' has a non-string key %s",
            path, e.getKey());
        String key = (String) e.getKey();
        copy.put(key, jsonValue(e.getValue(), path + "." + key));
      }
      return Collections.unmodifiableMap(copy);
    }
    throw new IllegalArgumentException("metadata value '" + path + "' is a "
        + value.getClass().getName() + "; use String, Boolean, a number, List or Map");
  }
}
