package dev.sparkprop.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.ml.param.Param;
import org.junit.jupiter.api.Test;

/**
 * The Estimators' Params against reference.conf, the one home of every default: each Param
 * that mirrors a configuration key has that key's default, and every Param has a doc and,
 * unless it is a String or Boolean, a value class (Spark Connect needs it). Needs no Spark
 * session: Params are plain objects.
 */
class ParamsTest {
  /** Param name -> the reference.conf key (under sparkprop) it mirrors. */
  static final Map<String, String> KEYS = new LinkedHashMap<>();

  static {
    KEYS.put("hiddenLayers", "network.hidden");
    KEYS.put("hiddenActivation", "network.hidden-activation");
    KEYS.put("outputActivation", "network.output-activation");
    KEYS.put("loss", "network.loss");
    KEYS.put("initialization", "network.init");
    KEYS.put("precision", "network.precision");
    KEYS.put("solver", "optimizer.name");
    KEYS.put("stepSize", "optimizer.learning-rate");
    KEYS.put("batchSize", "optimizer.batch-size");
    KEYS.put("localSteps", "optimizer.local-steps");
    KEYS.put("momentum", "optimizer.momentum");
    KEYS.put("nesterov", "optimizer.nesterov");
    KEYS.put("beta1", "optimizer.beta1");
    KEYS.put("beta2", "optimizer.beta2");
    KEYS.put("epsilon", "optimizer.epsilon");
    KEYS.put("learningRateSchedule", "optimizer.schedule");
    KEYS.put("scheduleEpochs", "optimizer.schedule-epochs");
    KEYS.put("scheduleRate", "optimizer.schedule-rate");
    KEYS.put("minLearningRate", "optimizer.min-learning-rate");
    KEYS.put("warmupEpochs", "optimizer.warmup-epochs");
    KEYS.put("clipNorm", "optimizer.clip-norm");
    KEYS.put("regParam", "optimizer.weight-decay");
    KEYS.put("historySize", "optimizer.history-size");
    KEYS.put("tol", "optimizer.tolerance");
    KEYS.put("maxIter", "epochs");
    KEYS.put("seed", "seed");
    KEYS.put("standardization", "standardize-features");
    KEYS.put("standardizeLabel", "standardize-label");
    KEYS.put("blockSize", "block-size");
    KEYS.put("aggregationDepth", "aggregation-depth");
    KEYS.put("numPartitions", "partitions");
    KEYS.put("earlyStoppingPatience", "early-stopping.patience");
    KEYS.put("earlyStoppingMinDelta", "early-stopping.min-delta");
    KEYS.put("checkpointInterval", "checkpoint.every");
  }

  /** Params with no configuration key: data-frame columns and values given in code. */
  static final Set<String> NO_KEY = Set.of("validationIndicatorCol", "checkpointDir",
      "initialWeights");

  static Config reference() throws Exception {
    String text = Files.readString(Path.of("src/main/resources/reference.conf"));
    return ConfigFactory.parseString(text).getConfig("sparkprop");
  }

  @Test
  void defaults_ofEveryMirroredParam_equalReferenceConf() throws Exception {
    Config ref = reference();
    for (SparkpropParams owner : List.<SparkpropParams>of(new SparkpropClassifier(),
        new SparkpropRegressor())) {
      for (Map.Entry<String, String> e : KEYS.entrySet()) {
        @SuppressWarnings("unchecked")
        Param<Object> p = (Param<Object>) owner.getParam(e.getKey());
        Object value = owner.getOrDefault(p);
        Object expected = ref.getAnyRef(e.getValue());
        String where = e.getKey() + " vs reference.conf " + e.getValue();
        if (value instanceof int[] a) {
          assertEquals(expected, Arrays.stream(a).boxed().toList(), where);
        } else if (value instanceof Number n) {
          assertEquals(((Number) expected).doubleValue(), n.doubleValue(), 0.0, where);
        } else {
          assertEquals(expected, value, where);
        }
      }
    }
  }

  @Test
  void everySparkpropParam_isMirroredOrListedAsKeyless_andHasDocAndValueClass() {
    SparkpropClassifier c = new SparkpropClassifier();
    Set<String> ours = new TreeSet<>();
    for (java.lang.reflect.Method m : SparkpropParams.class.getMethods()) {
      if (Param.class.isAssignableFrom(m.getReturnType()) && m.getParameterCount() == 0) {
        ours.add(m.getName());
      }
    }
    assertEquals(37, ours.size(), ours.toString());
    for (String name : ours) {
      assertTrue(KEYS.containsKey(name) || NO_KEY.contains(name), name + " has no home");
      Param<?> p = c.getParam(name);
      assertTrue(p.doc().length() > 10, name + " has a doc");
      assertNotNull(p.dataClass(), name + " has a value class (Spark Connect)");
    }
  }

  /** A value to try: its configuration text, its Param value, and the optimizer to set. */
  record Sample(String param, String text, Object value, String optimizer) {}

  static List<Sample> samples() {
    List<Sample> out = new java.util.ArrayList<>();
    Object[][] doubles = {
        {"stepSize", "gd", new double[] {-1, 0, 1e-4, 0.1, 5, Double.POSITIVE_INFINITY}},
        {"momentum", "momentum", new double[] {-0.1, 0, 0.5, 0.99, 1, 1.5}},
        {"beta1", "adam", new double[] {-0.1, 0, 0.9, 1, 2}},
        {"beta2", "adam", new double[] {-0.1, 0, 0.999, 1, 2}},
        {"epsilon", "adam", new double[] {-1e-8, 0, 1e-8, 1, Double.POSITIVE_INFINITY}},
        {"scheduleRate", "gd", new double[] {-0.5, 0, 0.5, 1, 1.5}},
        {"minLearningRate", "gd", new double[] {-1, 0, 0.01, Double.POSITIVE_INFINITY}},
        {"clipNorm", "gd", new double[] {-1, 0, 5, Double.POSITIVE_INFINITY}},
        {"regParam", "gd", new double[] {-1e-3, 0, 1e-3, Double.POSITIVE_INFINITY}},
        {"tol", "lbfgs", new double[] {-1, 0, 1e-9, Double.POSITIVE_INFINITY}},
        {"earlyStoppingMinDelta", "gd", new double[] {-1, 0, 0.1, Double.POSITIVE_INFINITY}},
    };
    for (Object[] d : doubles) {
      for (double v : (double[]) d[2]) {
        String text = Double.isInfinite(v) ? "1e400" : String.valueOf(v);
        out.add(new Sample((String) d[0], text, v, (String) d[1]));
      }
    }
    Object[][] ints = {
        {"batchSize", "adam", new int[] {-1, 0, 1, 256}},
        {"scheduleEpochs", "gd", new int[] {-1, 0, 1, 10}},
        {"warmupEpochs", "gd", new int[] {-1, 0, 5}},
        {"historySize", "lbfgs", new int[] {-1, 0, 1, 10}},
        {"maxIter", "gd", new int[] {-1, 0, 1, 100}},
        {"blockSize", "gd", new int[] {-1, 0, 1, 4096}},
        {"aggregationDepth", "gd", new int[] {0, 1, 3}},
        {"numPartitions", "gd", new int[] {-1, 0, 8}},
        {"checkpointInterval", "gd", new int[] {-1, 0, 1, 10}},
    };
    for (Object[] d : ints) {
      for (int v : (int[]) d[2]) {
        out.add(new Sample((String) d[0], String.valueOf(v), v, (String) d[1]));
      }
    }
    for (String v : new String[] {"sigmoid", "tanh", "relu", "leaky_relu", "identity",
        "softmax", "swish"}) {
      out.add(new Sample("hiddenActivation", v, v, "gd"));
      out.add(new Sample("outputActivation", v, v, "gd"));
    }
    for (String v : new String[] {"auto", "mse", "cross_entropy", "binary_cross_entropy",
        "hinge"}) {
      out.add(new Sample("loss", v, v, "gd"));
    }
    for (String v : new String[] {"auto", "xavier", "he", "normal(0.1)", "normal(0)",
        "normal(-1)", "uniform"}) {
      out.add(new Sample("initialization", "\"" + v + "\"", v, "gd"));
    }
    for (String v : new String[] {"float64", "float32", "float16"}) {
      out.add(new Sample("precision", v, v, "gd"));
    }
    for (String v : new String[] {"constant", "step", "exponential", "cosine", "cyclic"}) {
      out.add(new Sample("learningRateSchedule", v, v, "gd"));
    }
    return out;
  }

  /**
   * Every value a Param's validator accepts, the configuration accepts for its key, and the
   * other way round: the two front ends of one option cannot drift apart unnoticed. (Rules
   * that join two options, such as warm-up shorter than the run, are checked when a fit
   * starts, in one place: the library's FitSpec and the optimizer specs.)
   */
  @Test
  void validators_acceptExactlyWhatTheConfigurationAccepts() {
    SparkpropClassifier c = new SparkpropClassifier();
    List<String> disagreements = new java.util.ArrayList<>();
    for (Sample sample : samples()) {
      @SuppressWarnings("unchecked")
      Param<Object> p = (Param<Object>) c.getParam(sample.param());
      boolean param = p.isValid().apply(sample.value()).equals(Boolean.TRUE);
      List<String> overrides = new java.util.ArrayList<>(List.of(
          "optimizer.name=" + sample.optimizer(), KEYS.get(sample.param()) + "="
              + sample.text()));
      if (sample.param().equals("warmupEpochs") || sample.param().equals("maxIter")) {
        overrides.add(sample.param().equals("maxIter") ? "optimizer.warmup-epochs=0"
            : "epochs=100");
      }
      boolean config;
      try {
        dev.sparkprop.cli.Settings.load(null, overrides);
        config = true;
      } catch (IllegalArgumentException e) {
        config = false;
      }
      if (param != config) {
        disagreements.add(sample + ": Param " + (param ? "accepts" : "refuses")
            + ", configuration " + (config ? "accepts" : "refuses"));
      }
    }
    assertTrue(disagreements.isEmpty(), String.join("\n", disagreements));
  }

  /** The README's Param table: every mirrored Param, its key and its default, in that order. */
  @Test
  void readme_paramTable_isTheMappingWithTheParamsDefaults() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    java.util.regex.Matcher m = java.util.regex.Pattern.compile(
        "(?m)^\\| `([A-Za-z0-9]+)` \\| [a-z\\[\\]A-Z]+ \\| \\[`([a-z0-9.-]+)`\\]\\(#configuration\\) "
            + "\\| `([^`]*)` \\|$").matcher(readme);
    Map<String, String> table = new LinkedHashMap<>();
    SparkpropRegressor r = new SparkpropRegressor();
    List<String> wrong = new java.util.ArrayList<>();
    while (m.find()) {
      table.put(m.group(1), m.group(2));
      @SuppressWarnings("unchecked")
      Param<Object> p = (Param<Object>) r.getParam(m.group(1));
      String actual = p.jsonEncode(r.getOrDefault(p)).replace(",", ", ");
      Object shown = ConfigFactory.parseString("v = " + m.group(3)).getValue("v").unwrapped();
      Object value = ConfigFactory.parseString("v = " + actual).getValue("v").unwrapped();
      boolean same = shown instanceof Number a && value instanceof Number b
          ? a.doubleValue() == b.doubleValue() : shown.equals(value);
      if (!same) {
        wrong.add(m.group(1) + ": README shows " + m.group(3) + ", the Param's default is "
            + actual);
      }
    }
    assertEquals(KEYS, table, "README Param table vs ParamsTest.KEYS");
    assertEquals(List.of(), wrong);
  }

  @Test
  void uids_givenOrRandom_ownTheirParams() {
    SparkpropClassifier named = new SparkpropClassifier("mine");
    assertEquals("mine", named.uid());
    assertEquals("mine", named.stepSize().parent());
    assertEquals("mine", named.featuresCol().parent());
    SparkpropRegressor random = new SparkpropRegressor();
    assertTrue(random.uid().startsWith("sparkpropRegressor_"), random.uid());
    assertEquals(random.uid(), random.maxIter().parent());
  }
}
