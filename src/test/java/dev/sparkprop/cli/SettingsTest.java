package dev.sparkprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.sparkprop.nn.Activation;
import dev.sparkprop.nn.Init;
import dev.sparkprop.nn.Loss;
import dev.sparkprop.optim.GradientDescent;
import dev.sparkprop.optim.Schedule;
import dev.sparkprop.optim.StepSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SettingsTest {
  @TempDir
  Path dir;

  private Path write(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return file;
  }

  /** Full-batch gradient descent at {@code learningRate} with reference.conf's other values. */
  private static GradientDescent gd(double learningRate) {
    return new GradientDescent(new StepSpec(learningRate,
        new Schedule(Schedule.Kind.CONSTANT, 10, 0.5, 0.0, 0), 0, 0.0, 0.0));
  }

  private static ConfigException rejected(Path file, String... overrides) {
    return assertThrows(ConfigException.class, () -> Settings.load(file, List.of(overrides)));
  }

  // ---- sources and precedence ----

  @Test
  void load_noFileNoOverrides_returnsReferenceDefaults() {
    Settings s = Settings.load(null, List.of());
    assertEquals("", s.input());
    assertEquals("auto", s.inputFormat());
    assertEquals(List.of("*"), s.features());
    assertEquals(List.of("label"), s.label());
    assertEquals("auto", s.task());
    assertTrue(s.standardizeFeatures());
    assertTrue(s.standardizeLabel());
    assertEquals(0.0, s.testFraction());
    assertEquals(0.0, s.validationFraction());
    assertEquals(List.of(32), s.hidden());
    assertEquals(Activation.RELU, s.hiddenActivation());
    assertEquals(Optional.empty(), s.outputActivation());
    assertEquals(Optional.empty(), s.loss());
    assertEquals(Init.AUTO, s.init());
    assertEquals("", s.initFrom());
    assertEquals(gd(0.1), s.optimizer());
    assertEquals(100, s.epochs());
    assertEquals(42L, s.seed());
    assertEquals(1024, s.blockSize());
    assertEquals(2, s.aggregationDepth());
    assertEquals(0, s.partitions());
    assertEquals("", s.output());
    assertEquals(false, s.overwrite());
    assertEquals(1, s.logEvery());
    assertEquals(s, Settings.defaults());
  }

  @Test
  void load_systemPropertySet_ignored() {
    System.setProperty("sparkprop.epochs", "7");
    try {
      assertEquals(100, Settings.defaults().epochs());
    } finally {
      System.clearProperty("sparkprop.epochs");
    }
  }

  @Test
  void load_file_overridesReferenceAndKeepsOtherDefaults() throws IOException {
    Path file = write("run.conf", """
        sparkprop {
          epochs = 7
          network { hidden = [16, 8], init = "normal(0.01)" }
          optimizer.learning-rate = 0.5
        }
        """);
    Settings s = Settings.load(file, List.of());
    assertEquals(7, s.epochs());
    assertEquals(List.of(16, 8), s.hidden());
    assertEquals(Init.normal(0.01), s.init());
    assertEquals(gd(0.5), s.optimizer());
    assertEquals(Activation.RELU, s.hiddenActivation());
    assertEquals(42L, s.seed());
  }

  @Test
  void load_overrideAndFileSetSameKey_overrideWins() throws IOException {
    Path file = write("run.conf", "sparkprop { epochs = 7, seed = 3 }");
    Settings s = Settings.load(file, List.of("epochs=9"));
    assertEquals(9, s.epochs());
    assertEquals(3L, s.seed());
  }

  @Test
  void load_sameOverrideTwice_laterWins() {
    assertEquals(6, Settings.load(null, List.of("epochs=5", "sparkprop.epochs=6")).epochs());
  }

  @Test
  void load_listsNestedAndPlainOverrides_parsed() {
    Settings s = Settings.load(null, List.of(
        "network.hidden=[64,32]",
        "optimizer.learning-rate=0.05",
        "output=/tmp/m",
        "input=s3a://bucket/data#1.parquet",
        "sparkprop.epochs=200",
        "seed=-5",
        "features=[x1, x2, \"x 3\"]",
        "label=y",
        "network.hidden-activation=TANH",
        "network.output-activation=sigmoid",
        "network.loss=binary_cross_entropy",
        "network.init=normal(0.5)",
        "task=classification",
        "input-format=csv",
        "test-fraction=0.2",
        "validation-fraction=.1",
        "overwrite=true",
        "block-size=\"256\"",
        "network={init-from=/models/a}"));
    assertEquals(gd(0.05), s.optimizer());
    assertEquals("/tmp/m", s.output());
    assertEquals("s3a://bucket/data#1.parquet", s.input());
    assertEquals(200, s.epochs());
    assertEquals(-5L, s.seed());
    assertEquals(List.of("x1", "x2", "x 3"), s.features());
    assertEquals(List.of("y"), s.label());
    assertEquals(Activation.TANH, s.hiddenActivation());
    assertEquals(Optional.of(Activation.SIGMOID), s.outputActivation());
    assertEquals(Optional.of(Loss.BINARY_CROSS_ENTROPY), s.loss());
    assertEquals(Init.normal(0.5), s.init());
    assertEquals("classification", s.task());
    assertEquals("csv", s.inputFormat());
    assertEquals(0.2, s.testFraction());
    assertEquals(0.1, s.validationFraction());
    assertTrue(s.overwrite());
    assertEquals(256, s.blockSize());
    assertEquals("/models/a", s.initFrom());
    assertEquals(List.of(64, 32), s.hidden(), "an object override merges into its section");
  }

  @Test
  void load_emptyHiddenList_meansNoHiddenLayer() {
    assertEquals(List.of(), Settings.load(null, List.of("network.hidden=[]")).hidden());
  }

  @Test
  void load_singleFeatureName_isOneColumn() {
    assertEquals(List.of("vec"), Settings.load(null, List.of("features=vec")).features());
  }

  @Test
  void load_quotedOverrideValue_keepsSpecialCharacters() {
    Settings s = Settings.load(null, List.of("output=\"/tmp/a b//c\""));
    assertEquals("/tmp/a b//c", s.output());
  }

  @Test
  void load_fileWithoutWrapper_keysAreRelative() throws IOException {
    Path file = write("bare.conf", """
        epochs = 11
        network.hidden = [4]
        optimizer { learning-rate = 0.25 }
        """);
    Settings s = Settings.load(file, List.of());
    assertEquals(11, s.epochs());
    assertEquals(List.of(4), s.hidden());
    assertEquals(gd(0.25), s.optimizer());
  }

  @Test
  void load_fileWithInclude_includedKeysApplyAndFileWins() throws IOException {
    write("base.conf", "sparkprop { epochs = 3, seed = 8 }");
    Path file = write("run.conf", "include \"base.conf\"\nsparkprop.seed = 9\n");
    Settings s = Settings.load(file, List.of());
    assertEquals(3, s.epochs());
    assertEquals(9L, s.seed());
  }

  @Test
  void load_fileSubstitution_resolvedAgainstMergedConfig() throws IOException {
    Path file = write("run.conf", "sparkprop { output = ${sparkprop.input}\"-model\" }");
    assertEquals("/d/x-model", Settings.load(file, List.of("input=/d/x")).output());
  }

  // ---- unknown keys ----

  @Test
  void load_unknownKeyInFile_rejectedWithSuggestion() throws IOException {
    Path file = write("typo.conf", "sparkprop { optimiser { name = gd } }");
    assertEquals("unknown configuration key 'sparkprop.optimiser.name' "
        + "(did you mean 'sparkprop.optimizer.name'?)", rejected(file).getMessage());
  }

  @Test
  void load_unknownKeyInIncludedFile_rejected() throws IOException {
    write("base.conf", "epoch = 3");
    Path file = write("run.conf", "include \"base.conf\"");
    assertEquals("unknown configuration key 'sparkprop.epoch' (did you mean 'sparkprop.epochs'?)",
        rejected(file).getMessage());
  }

  @Test
  void load_unknownKeyInOverride_rejectedWithSuggestion() {
    assertEquals("unknown configuration key 'sparkprop.optimizer.learning_rate' "
            + "(did you mean 'sparkprop.optimizer.learning-rate'?)",
        rejected(null, "optimizer.learning_rate=0.1").getMessage());
  }

  @Test
  void load_keyInWrongSection_suggestsTheSectionKey() {
    assertEquals("unknown configuration key 'sparkprop.hidden' "
        + "(did you mean 'sparkprop.network.hidden'?)", rejected(null, "hidden=[8]").getMessage());
  }

  @Test
  void load_topLevelKeyBesideWrapper_suggestsWrappedKey() throws IOException {
    Path file = write("mixed.conf", "sparkprop { seed = 1 }\nepochs = 4\n");
    assertEquals("unknown configuration key 'epochs' (did you mean 'sparkprop.epochs'?)",
        rejected(file).getMessage());
  }

  @Test
  void load_unknownKeyFarFromAll_noSuggestion() {
    assertEquals("unknown configuration key 'sparkprop.colour'",
        rejected(null, "colour=red").getMessage());
  }

  @Test
  void load_valueForASection_rejectedListingItsKeys() {
    assertEquals("sparkprop.optimizer must be a section with the keys batch-size, beta1, beta2, "
        + "clip-norm, epsilon, history-size, learning-rate, local-steps, min-learning-rate, "
        + "momentum, name, "
        + "nesterov, schedule, schedule-epochs, schedule-rate, tolerance, warmup-epochs, "
        + "weight-decay, got 5", rejected(null, "optimizer=5").getMessage());
  }

  @Test
  void load_overrideWithoutEquals_rejected() {
    assertEquals("command-line setting 'epochs' is not KEY=VALUE, e.g. epochs=200",
        rejected(null, "epochs").getMessage());
  }

  @Test
  void load_overrideWithBrokenHocon_rejectedNamingTheSetting() {
    String message = rejected(null, "network.hidden=[1,").getMessage();
    assertTrue(message.startsWith("command-line setting 'network.hidden=[1,' has a value that "
        + "is not valid HOCON: "), message);
  }

  // ---- invalid values ----

  static Stream<Arguments> invalidValues() {
    return Stream.of(
        Arguments.of(List.of("optimizer.learning-rate=-0.1"),
            "sparkprop.optimizer.learning-rate must be a number > 0, got -0.1"),
        Arguments.of(List.of("optimizer.learning-rate=0"),
            "sparkprop.optimizer.learning-rate must be a number > 0, got 0"),
        Arguments.of(List.of("optimizer.learning-rate=fast"),
            "sparkprop.optimizer.learning-rate must be a number, got \"fast\""),
        Arguments.of(List.of("optimizer.name=rmsprop"),
            "sparkprop.optimizer.name must be one of gd, sgd, momentum, adam, lbfgs, got "
                + "\"rmsprop\""),
        Arguments.of(List.of("epochs=0"), "sparkprop.epochs must be an integer >= 1, got 0"),
        Arguments.of(List.of("epochs=ten"), "sparkprop.epochs must be an integer, got \"ten\""),
        Arguments.of(List.of("epochs=2.5"), "sparkprop.epochs must be an integer, got 2.5"),
        Arguments.of(List.of("epochs=[1]"), "sparkprop.epochs must be an integer, got [1]"),
        Arguments.of(List.of("epochs=3000000000"), "sparkprop.epochs must be an integer between "
            + "-2147483648 and 2147483647, got 3000000000"),
        Arguments.of(List.of("seed=x"), "sparkprop.seed must be an integer, got \"x\""),
        Arguments.of(List.of("network.hidden=[64,0]"),
            "sparkprop.network.hidden must be a list of integers >= 1, got [64, 0]"),
        Arguments.of(List.of("network.hidden=[64,x]"),
            "sparkprop.network.hidden must be a list of integers, got [64, \"x\"]"),
        Arguments.of(List.of("network.hidden=64"),
            "sparkprop.network.hidden must be a list of integers, got 64"),
        Arguments.of(List.of("test-fraction=1"),
            "sparkprop.test-fraction must be a number >= 0 and < 1, got 1"),
        Arguments.of(List.of("validation-fraction=-0.1"),
            "sparkprop.validation-fraction must be a number >= 0 and < 1, got -0.1"),
        Arguments.of(List.of("test-fraction=0.7", "validation-fraction=0.3"),
            "sparkprop.test-fraction + sparkprop.validation-fraction must be < 1 to leave rows "
                + "for training, got 0.7 + 0.3"),
        Arguments.of(List.of("block-size=0"), "sparkprop.block-size must be an integer >= 1, got 0"),
        Arguments.of(List.of("aggregation-depth=0"),
            "sparkprop.aggregation-depth must be an integer >= 1, got 0"),
        Arguments.of(List.of("partitions=-1"),
            "sparkprop.partitions must be an integer >= 0, got -1"),
        Arguments.of(List.of("log-every=0"), "sparkprop.log-every must be an integer >= 1, got 0"),
        Arguments.of(List.of("network.hidden-activation=softmax"),
            "sparkprop.network.hidden-activation must be one of sigmoid, tanh, relu, leaky_relu, "
                + "identity, got \"softmax\""),
        Arguments.of(List.of("network.hidden-activation=swish"),
            "sparkprop.network.hidden-activation must be one of sigmoid, tanh, relu, leaky_relu, "
                + "identity, got \"swish\""),
        Arguments.of(List.of("network.output-activation=swish"),
            "sparkprop.network.output-activation must be auto or one of sigmoid, tanh, relu, "
                + "leaky_relu, identity, softmax, got \"swish\""),
        Arguments.of(List.of("network.loss=hinge"), "sparkprop.network.loss must be auto or one "
            + "of mse, cross_entropy, binary_cross_entropy, got \"hinge\""),
        Arguments.of(List.of("network.loss=mse", "network.output-activation=softmax"),
            "sparkprop.network.loss mse does not fit sparkprop.network.output-activation softmax: "
                + "loss mse cannot be used with a softmax output layer; use loss cross_entropy "
                + "with softmax, or an identity/sigmoid/tanh output with mse"),
        Arguments.of(List.of("network.init=uniform"), "sparkprop.network.init must be auto, "
            + "xavier, he or normal(STD) with a finite STD > 0, got \"uniform\""),
        Arguments.of(List.of("network.init=normal(-1)"), "sparkprop.network.init must be auto, "
            + "xavier, he or normal(STD) with a finite STD > 0, got \"normal(-1)\""),
        Arguments.of(List.of("task=classify"),
            "sparkprop.task must be one of auto, classification, regression, got \"classify\""),
        Arguments.of(List.of("input-format=jsonl"),
            "sparkprop.input-format must be one of auto, parquet, csv, json, got \"jsonl\""),
        Arguments.of(List.of("features=[]"), "sparkprop.features must be \"*\", a column name or "
            + "a non-empty list of distinct column names, got []"),
        Arguments.of(List.of("features=[a, \"*\"]"), "sparkprop.features must be \"*\", a column "
            + "name or a non-empty list of distinct column names, got [\"a\", \"*\"]"),
        Arguments.of(List.of("features=[a, a]"), "sparkprop.features must be \"*\", a column "
            + "name or a non-empty list of distinct column names, got [\"a\", \"a\"]"),
        Arguments.of(List.of("features={a=1}"), "sparkprop.features must be \"*\", a column "
            + "name or a non-empty list of distinct column names, got {\"a\":1}"),
        Arguments.of(List.of("features=[a, y]", "label=y"), "sparkprop.features must not "
            + "contain the label column \"y\" (sparkprop.label), got [\"a\", \"y\"]"),
        Arguments.of(List.of("label="), "sparkprop.label must be a column name or a non-empty "
            + "list of distinct column names, got \"\""),
        Arguments.of(List.of("overwrite=maybe"),
            "sparkprop.overwrite must be true or false, got \"maybe\""),
        Arguments.of(List.of("standardize-features=[]"),
            "sparkprop.standardize-features must be true or false, got []"),
        Arguments.of(List.of("output=[a]"), "sparkprop.output must be a string, got [\"a\"]"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidValues")
  void load_invalidValue_rejectedNamingKeyValueAndRange(List<String> overrides, String message) {
    ConfigException e = rejected(null, overrides.toArray(String[]::new));
    assertEquals(message, e.getMessage());
  }

  @Test
  void load_nullValueInFile_rejectedAsWrongType() throws IOException {
    Path file = write("null.conf", "epochs = null");
    assertEquals("sparkprop.epochs must be an integer, got null", rejected(file).getMessage());
  }

  @Test
  void load_invalidValueInFile_rejectedLikeAnOverride() throws IOException {
    Path file = write("bad.conf", "sparkprop.network.hidden = [64, 0]");
    assertEquals("sparkprop.network.hidden must be a list of integers >= 1, got [64, 0]",
        rejected(file).getMessage());
  }

  @Test
  void constructor_valueOutOfRange_rejectedLikeTheLoader() {
    Settings d = Settings.defaults();
    ConfigException e = assertThrows(ConfigException.class, () -> new Settings(d.input(),
        d.inputFormat(), d.features(), d.label(), d.task(), d.standardizeFeatures(),
        d.standardizeLabel(), d.testFraction(), d.validationFraction(), d.validationInput(),
        d.hidden(), d.hiddenActivation(), d.outputActivation(), d.loss(), d.init(),
        d.initFrom(), d.precision(), d.optimizer(), 0, d.seed(), d.earlyStoppingPatience(),
        d.earlyStoppingMinDelta(), d.blockSize(), d.aggregationDepth(), d.partitions(),
        d.output(), d.overwrite(), d.checkpointDir(), d.checkpointEvery(), d.logEvery()));
    assertEquals("sparkprop.epochs must be an integer >= 1, got 0", e.getMessage());
  }

  // ---- files ----

  @Test
  void load_missingFile_rejected() {
    Path missing = dir.resolve("nope.conf");
    assertEquals("configuration file '" + missing + "' does not exist",
        rejected(missing).getMessage());
  }

  @Test
  void load_hoconSyntaxError_messageNamesFileAndLine() throws IOException {
    Path file = write("broken.conf", "sparkprop {\n  epochs = 5\n  network { hidden = [1, }\n}\n");
    String message = rejected(file).getMessage();
    assertTrue(message.startsWith("configuration file '" + file + "' line 3: "), message);
    assertTrue(!message.contains("\n"), message);
  }

  @Test
  void load_unresolvedSubstitution_messageNamesFileAndLine() throws IOException {
    Path file = write("subst.conf", "sparkprop {\n  output = ${nowhere}\n}\n");
    String message = rejected(file).getMessage();
    assertTrue(message.startsWith("configuration file '" + file + "' line 2: "), message);
    assertTrue(message.contains("${nowhere}"), message);
  }

  // ---- effective configuration ----

  private static Set<String> flatKeys(Map<String, Object> nested) {
    Set<String> keys = new TreeSet<>();
    ConfigValueFactory.fromMap(nested).toConfig().entrySet().forEach(e -> keys.add(e.getKey()));
    return keys;
  }

  @Test
  void effective_defaults_containsEveryKeyButOtherOptimizersOwn() {
    Settings s = Settings.defaults();
    Set<String> expected = new TreeSet<>();
    Set<String> ownOptimizerKeys = Optimizers.describe(s.optimizer()).keySet();
    for (String key : Settings.keys()) {
      String optimizerPrefix = "sparkprop.optimizer.";
      if (!key.startsWith(optimizerPrefix)
          || ownOptimizerKeys.contains(key.substring(optimizerPrefix.length()))) {
        expected.add(key);
      }
    }
    assertTrue(expected.size() >= 24, "reference.conf keys: " + expected);
    assertEquals(expected, flatKeys(s.effective()));
  }

  /** A plain value with every number as a double, so 42 and 42L compare equal. */
  private static Object normalized(Object value) {
    if (value instanceof Number n) {
      return n.doubleValue();
    }
    if (value instanceof List<?> list) {
      return list.stream().map(SettingsTest::normalized).toList();
    }
    return value;
  }

  @Test
  void effective_defaults_equalReferenceValues() {
    Config reference = ConfigFactory.parseResources("reference.conf");
    Config effective = ConfigValueFactory.fromMap(Settings.defaults().effective()).toConfig();
    List<String> differences = new ArrayList<>();
    for (String key : flatKeys(Settings.defaults().effective())) {
      Object a = normalized(reference.getValue(key).unwrapped());
      Object b = normalized(effective.getValue(key).unwrapped());
      if (!a.equals(b)) {
        differences.add(key + ": reference " + a + ", effective " + b);
      }
    }
    assertEquals(List.of(), differences);
  }

  @Test
  void optimizers_referenceOptimizerKeys_eachReadBySomeOptimizer() {
    List<String> unclaimed = Settings.keys().stream()
        .filter(k -> k.startsWith("sparkprop.optimizer."))
        .filter(k -> !Optimizers.allKeys().contains(k)).toList();
    assertEquals(List.of(), unclaimed);
  }

  @Test
  void render_loadedBack_equalsOriginal() throws IOException {
    Settings s = Settings.load(null, List.of("network.hidden=[5,3]", "features=[a,b]",
        "network.init=normal(0.02)", "network.loss=cross_entropy",
        "network.output-activation=softmax", "optimizer.learning-rate=0.003", "seed=12345678901",
        "output=/m", "test-fraction=0.25"));
    Path file = write("rendered.conf", s.render());
    assertEquals(s, Settings.load(file, List.of()));
  }

  // ---- required values ----

  @Test
  void requireNonEmpty_unsetInput_rejectedSayingHowToSetIt() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> Settings.defaults().requireNonEmpty("input"));
    assertEquals("sparkprop.input is not set; pass input=PATH or set it in the configuration "
        + "file", e.getMessage());
  }

  @Test
  void load_labelList_keepsColumnsInOrder() {
    Settings s = Settings.load(null, List.of("label=[y2, y1]", "features=[a, b]"));
    assertEquals(List.of("y2", "y1"), s.label());
    assertTrue(s.render().contains("label=[\n"), s.render());
  }

  @Test
  void load_labelListWithDuplicate_failsNamingKey() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> Settings.load(null, List.of("label=[y, y]")));
    assertEquals("sparkprop.label must be a column name or a non-empty list of distinct column "
        + "names, got [\"y\", \"y\"]", e.getMessage());
  }

  @Test
  void load_featureIsOneOfTheLabels_failsNamingIt() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> Settings.load(null, List.of("label=[y1, y2]", "features=[a, y2]")));
    assertTrue(e.getMessage().startsWith("sparkprop.features must not contain the label column "
        + "\"y2\""), e.getMessage());
  }

  @Test
  void requireNonEmpty_setOutput_returnsIt() {
    Settings s = Settings.load(null, List.of("output=/tmp/m"));
    assertEquals("/tmp/m", s.requireNonEmpty("sparkprop.output"));
  }

  // ---- documentation ----

  @Test
  void readme_configurationTable_listsEveryKey() throws IOException {
    String table = Files.readString(Path.of("README.md"));
    List<String> missing = Settings.keys().stream()
        .map(k -> k.substring("sparkprop.".length()))
        .filter(k -> !table.contains("| `" + k + "` |")).toList();
    assertEquals(List.of(), missing);
  }
}
