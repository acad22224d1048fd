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
