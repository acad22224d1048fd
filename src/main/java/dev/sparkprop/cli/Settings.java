package dev.sparkprop.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import dev.sparkprop.nn.Activation;
import dev.sparkprop.nn.Init;
import dev.sparkprop.nn.Loss;
import dev.sparkprop.nn.Precision;
import dev.sparkprop.optim.FirstOrderSpec;
import dev.sparkprop.optim.OptimizerSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The resolved, checked configuration of a run: every {@code sparkprop.*} key of reference.conf
 * as a typed field. Built by {@link #load}, which merges, by precedence, command-line
 * {@code KEY=VALUE} overrides, an optional HOCON file, and reference.conf (the one home of every
 * default). Every check that does not need the data runs here, so a typo fails in milliseconds,
 * before Spark starts; the compact constructor repeats the range checks for a record built in
 * code. Whether {@code input} and {@code output} must be set is up to each subcommand
 * ({@link #requireNonEmpty}).
 *
 * @param input training data path; empty when unset
 * @param inputFormat {@code auto}, {@code parquet}, {@code csv} or {@code json} (JSON lines)
 * @param features {@code ["*"]} for every column but the label, or one or more column names (a
 *     single name may be a vector or array column)
 * @param label the label column, or several numeric columns for a multi-output regression label
 *     (one output per column, in this order)
 * @param task {@code auto}, {@code classification} or {@code regression}
 * @param outputActivation empty for {@code auto}
 * @param loss empty for {@code auto}
 * @param validationInput a separate validation data path; empty when unset
 * @param initFrom a saved model directory to start from; empty for a fresh initialisation
 * @param earlyStoppingPatience 0 for no early stopping
 * @param output model directory; empty when unset
 * @param checkpointDir checkpoint directory; empty for no checkpoints
 */
public record Settings(
    String input,
    String inputFormat,
    List<String> features,
    List<String> label,
    String task,
    boolean standardizeFeatures,
    boolean standardizeLabel,
    double testFraction,
    double validationFraction,
    String validationInput,
    List<Integer> hidden,
    Activation hiddenActivation,
    Optional<Activation> outputActivation,
    Optional<Loss> loss,
    Init init,
    String initFrom,
    Precision precision,
    OptimizerSpec optimizer,
    int epochs,
    long seed,
    int earlyStoppingPatience,
    double earlyStoppingMinDelta,
    int blockSize,
    int aggregationDepth,
    int partitions,
    String output,
    boolean overwrite,
    String checkpointDir,
    int checkpointEvery,
    int logEvery) {

  /** The value of {@code features} that selects every column but the label. */
  public static final String ALL_FEATURES = "*";

  private static final List<String> INPUT_FORMATS = List.of("auto", "parquet", "csv", "json");
  private static final List<String> TASKS = List.of("auto", "classification", "regression");
  private static final String FEATURES_RULE =
      "must be \"*\", a column name or a non-empty list of distinct column names";
  private static final String LABEL_RULE =
      "must be a column name or a non-empty list of distinct column names";
  private static final String HIDDEN_ACTIVATION_RULE = "must be one of " + Arrays
      .stream(Activation.values()).filter(a -> a != Activation.SOFTMAX).map(Activation::id)
      .collect(Collectors.joining(", "));
  private static final String ACTIVATION_RULE = "one of " + Arrays.stream(Activation.values())
      .map(Activation::id).collect(Collectors.joining(", "));
  private static final String LOSS_RULE = "one of " + Arrays.stream(Loss.values())
      .map(Loss::id).collect(Collectors.joining(", "));
  private static final String PRECISION_RULE = "must be one of " + Arrays
      .stream(Precision.values()).map(Precision::id).collect(Collectors.joining(", "));
  private static final String INIT_RULE =
      "must be auto, xavier, he or normal(STD) with a finite STD > 0";
  /** A value the command line hands to the HOCON parser; any other value is a plain string. */
  private static final Pattern HOCON_VALUE = Pattern.compile(
      "[\\[{\"].*|true|false|[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?", Pattern.DOTALL);

  public Settings {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(inputFormat, "inputFormat");
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(hiddenActivation, "hiddenActivation");
    Objects.requireNonNull(outputActivation, "outputActivation");
    Objects.requireNonNull(loss, "loss");
    Objects.requireNonNull(init, "init");
    Objects.requireNonNull(initFrom, "initFrom");
    Objects.requireNonNull(precision, "precision");
    Objects.requireNonNull(optimizer, "optimizer");
    Objects.requireNonNull(output, "output");
    Objects.requireNonNull(validationInput, "validationInput");
    Objects.requireNonNull(checkpointDir, "checkpointDir");
    features = List.copyOf(features);
    label = List.copyOf(label);
    hidden = List.copyOf(hidden);

    Values.oneOf("input-format", inputFormat, INPUT_FORMATS);
    if (label.isEmpty() || label.stream().anyMatch(String::isBlank)
        || new HashSet<>(label).size() != label.size()) {
      throw new ConfigException(Values.path("label") + " " + LABEL_RULE + ", got "
          + (label.size() == 1 ? Values.show(label.get(0)) : Values.show(label)));
    }
    checkFeatures(features, label);
    Values.oneOf("task", task, TASKS);
    Values.fraction("test-fraction", testFraction);
    Values.fraction("validation-fraction", validationFraction);
    // A margin for rounding: 0.7 + 0.3 is 0.9999999999999999 and would leave no training rows.
    if (testFraction + validationFraction >= 1 - 1e-9) {
      throw new ConfigException(Values.path("test-fraction") + " + "
          + Values.path("validation-fraction") + " must be < 1 to leave rows for training, got "
          + Values.show(testFraction) + " + " + Values.show(validationFraction));
    }
    if (hidden.stream().anyMatch(size -> size < 1)) {
      throw new ConfigException(Values.path("network.hidden")
          + " must be a list of integers >= 1, got " + Values.show(hidden));
    }
    if (hiddenActivation == Activation.SOFTMAX) {
      throw new ConfigException(Values.path("network.hidden-activation") + " "
          + HIDDEN_ACTIVATION_RULE + ", got " + Values.show(hiddenActivation.id()));
    }
    if (outputActivation.isPresent() && loss.isPresent()) {
      try {
        // Two outputs: the unit count depends on the data and is checked when the network is built.
        loss.get().checkOutputActivation(outputActivation.get(), 2);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(Values.path("network.loss") + " "
            + loss.get().id() + " does not fit " + Values.path("network.output-activation") + " "
            + outputActivation.get().id() + ": " + e.getMessage());
      }
    }
    if (!validationInput.isBlank() && validationFraction > 0) {
      throw new ConfigException(Values.path("validation-input") + " and "
          + Values.path("validation-fraction") + " are two sources of validation data; set one,"
          + " got " + Values.show(validationInput) + " and " + Values.show(validationFraction));
    }
    Values.atLeast("epochs", epochs, 1);
    if (optimizer instanceof FirstOrderSpec f && f.steps().schedule().warmupEpochs() >= epochs) {
      throw new ConfigException(Values.path("optimizer.warmup-epochs") + " must be < "
          + Values.path("epochs") + " (" + epochs + "), got "
          + f.steps().schedule().warmupEpochs());
    }
    Values.atLeast("early-stopping.patience", earlyStoppingPatience, 0);
    Values.nonNegative("early-stopping.min-delta", earlyStoppingMinDelta);
    if (earlyStoppingPatience > 0 && validationFraction == 0 && validationInput.isBlank()) {
      throw new ConfigException(Values.path("early-stopping.patience") + " needs validation "
          + "data: set " + Values.path("validation-fraction") + " or "
          + Values.path("validation-input"));
    }
    Values.atLeast("checkpoint.every", checkpointEvery, 1);
    Values.atLeast("block-size", blockSize, 1);
    Values.atLeast("aggregation-depth", aggregationDepth, 1);
    Values.atLeast("partitions", partitions, 0);
    Values.atLeast("log-every", logEvery, 1);
  }

  /** reference.conf alone: every default. */
  public static Settings defaults() {
    return load(null, List.of());
  }

  /**
   * Loads and checks the configuration.
   *
   * @param confFileOrNull a HOCON (or .json/.properties) file; its keys may sit inside
   *     {@code sparkprop { }} or, when it has no top-level {@code sparkprop}, be relative to it
   * @param overrides {@code KEY=VALUE} strings from the command line, KEY relative to
   *     {@code sparkprop.} or in full; VALUE is read as HOCON when it is a number, true/false, a
   *     list, an object or a quoted string, and as a plain string otherwise (so paths such as
   *     {@code s3a://b/x} and {@code *} need no quotes). Later overrides win; an object value
   *     merges into the section, as in a file.
   * @throws ConfigException with a one-line message, for any mistake
   */
  public static Settings load(Path confFileOrNull, List<String> overrides) {
    return load(confFileOrNull, overrides, warning -> { });
  }

  /**
   * Like {@link #load(Path, List)}, reporting to {@code warnings} each valid setting that does
   * not apply (a key of another optimizer than the selected one), as one line, instead of
   * dropping it silently.
   */
  public static Settings load(Path confFileOrNull, List<String> overrides,
      Consumer<String> warnings) {
    Objects.requireNonNull(overrides, "overrides");
    return load(confFileOrNull == null ? ConfigFactory.empty() : parseFile(confFileOrNull),
        confFileOrNull, overrides, warnings);
  }

  /**
   * Like {@link #load(Path, List)} with the file's part given as HOCON text (a checkpoint's
   * saved configuration, say), {@code origin} naming it in messages.
   */
  public static Settings loadText(String hocon, String origin, List<String> overrides) {
    return loadText(hocon, origin, overrides, warning -> { });
  }

  /** {@link #loadText(String, String, List)} with {@code warnings} as in {@link #load}. */
  public static Settings loadText(String hocon, String origin, List<String> overrides,
      Consumer<String> warnings) {
    Objects.requireNonNull(overrides, "overrides");
    Config config;
    try {
      config = ConfigFactory.parseString(hocon,
          ConfigParseOptions.defaults().setOriginDescription(origin));
    } catch (com.typesafe.config.ConfigException e) {
      throw new ConfigException(origin + ": " + detail(e), e);
    }
    return load(config.root().containsKey(Values.ROOT) ? config : config.atKey(Values.ROOT),
        null, overrides, warnings);
  }

  private static Settings load(Config fromFile, Path confFileOrNull, List<String> overrides,
      Consumer<String> warnings) {
    Config reference = reference();
    Config fromCommandLine = parseOverrides(overrides);
    Values values;
    Set<String> userKeys = new LinkedHashSet<>();
    try {
      Config merged = fromCommandLine.withFallback(fromFile).withFallback(reference).resolve();
      Set<String> referenceKeys = leaves(reference.root());
      userKeys.addAll(checkKeys(fromFile.resolveWith(merged), reference, referenceKeys));
      userKeys.addAll(checkKeys(fromCommandLine.resolveWith(merged), reference, referenceKeys));
      values = new Values(merged);
    } catch (com.typesafe.config.ConfigException e) {
      throw oneLine(e, confFileOrNull);
    }
    return read(values, userKeys, warnings);
  }

  /** Every valid key, in full ({@code sparkprop.epochs}), sorted. */
  public static List<String> keys() {
    return leaves(reference().root()).stream().sorted().toList();
  }

  /**
   * The resolved configuration, nested as in reference.conf under one {@code sparkprop} key, in
   * plain Java values (String, Boolean, Integer, Long, Double, List, Map), for saving with a
   * model as provenance. Holds every key except those of optimizers other than the selected one;
   * {@code auto} stays {@code auto}.
   */
  public Map<String, Object> effective() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("input", input);
    s.put("input-format", inputFormat);
    s.put("features", features.size() == 1 ? features.get(0) : features);
    s.put("label", label.size() == 1 ? label.get(0) : label);
    s.put("task", task);
    s.put("standardize-features", standardizeFeatures);
    s.put("standardize-label", standardizeLabel);
    s.put("test-fraction", testFraction);
    s.put("validation-fraction", validationFraction);
    s.put("validation-input", validationInput);
    Map<String, Object> network = new LinkedHashMap<>();
    network.put("hidden", hidden);
    network.put("hidden-activation", hiddenActivation.id());
    network.put("output-activation", outputActivation.map(Activation::id).orElse("auto"));
    network.put("loss", loss.map(Loss::id).orElse("auto"));
    network.put("init", init.id());
    network.put("init-from", initFrom);
    network.put("precision", precision.id());
    s.put("network", Collections.unmodifiableMap(network));
    s.put("optimizer", Collections.unmodifiableMap(Optimizers.describe(optimizer)));
    s.put("epochs", epochs);
    s.put("seed", seed);
    Map<String, Object> earlyStopping = new LinkedHashMap<>();
    earlyStopping.put("patience", earlyStoppingPatience);
    earlyStopping.put("min-delta", earlyStoppingMinDelta);
    s.put("early-stopping", Collections.unmodifiableMap(earlyStopping));
    s.put("block-size", blockSize);
    s.put("aggregation-depth", aggregationDepth);
    s.put("partitions", partitions);
    s.put("output", output);
    s.put("overwrite", overwrite);
    Map<String, Object> checkpoint = new LinkedHashMap<>();
    checkpoint.put("dir", checkpointDir);
    checkpoint.put("every", checkpointEvery);
    s.put("checkpoint", Collections.unmodifiableMap(checkpoint));
    s.put("log-every", logEvery);
    return Map.of(Values.ROOT, Collections.unmodifiableMap(s));
  }

  /** {@link #effective()} as HOCON text, which {@link #load} reads back to an equal Settings. */
  public String render() {
    return ConfigValueFactory.fromMap(effective()).render(ConfigRenderOptions.defaults()
        .setOriginComments(false).setComments(false).setJson(false).setFormatted(true));
  }

  /**
   * The value of a string key such as {@code input} or {@code sparkprop.output}, for a
   * subcommand that needs it.
   *
   * @throws ConfigException {@code sparkprop.input is not set; pass input=PATH or set it in the
   *     configuration file} when the value is empty
   */
  public String requireNonEmpty(String key) {
    String path = key.startsWith(Values.ROOT + ".") ? key : Values.path(key);
    Object value = effective();
    for (String segment : ConfigUtil.splitPath(path)) {
      value = value instanceof Map<?, ?> map ? map.get(segment) : null;
    }
    if (!(value instanceof String text)) {
      throw new IllegalArgumentException("'" + path + "' is not a text setting");
    }
    if (text.isBlank()) {
      String relative = path.substring(Values.ROOT.length() + 1);
      String placeholder = relative.equals("input") || relative.equals("output")
          || relative.endsWith("-from") ? "PATH" : "VALUE";
      throw new ConfigException(path + " is not set; pass " + relative + "=" + placeholder
          + " or set it in the configuration file");
    }
    return text;
  }

  private static Settings read(Values v, Set<String> userKeys, Consumer<String> warnings) {
    return new Settings(
        v.string("input"),
        v.word("input-format"),
        v.stringOrList("features", FEATURES_RULE),
        v.stringOrList("label", LABEL_RULE),
        v.word("task"),
        v.bool("standardize-features"),
        v.bool("standardize-label"),
        v.number("test-fraction"),
        v.number("validation-fraction"),
        v.string("validation-input"),
        v.integers("network.hidden"),
        v.parse("network.hidden-activation", HIDDEN_ACTIVATION_RULE, Settings::hiddenActivation),
        v.autoOr("network.output-activation", ACTIVATION_RULE, Activation::fromId),
        v.autoOr("network.loss", LOSS_RULE, Loss::fromId),
        v.parse("network.init", INIT_RULE, Init::parse),
        v.string("network.init-from"),
        v.parse("network.precision", PRECISION_RULE, Precision::fromId),
        Optimizers.read(v, userKeys, warnings),
        v.integer("epochs"),
        v.longInteger("seed"),
        v.integer("early-stopping.patience"),
        v.number("early-stopping.min-delta"),
        v.integer("block-size"),
        v.integer("aggregation-depth"),
        v.integer("partitions"),
        v.string("output"),
        v.bool("overwrite"),
        v.string("checkpoint.dir"),
        v.integer("checkpoint.every"),
        v.integer("log-every"));
  }

  private static Activation hiddenActivation(String id) {
    Activation a = Activation.fromId(id);
    if (a == Activation.SOFTMAX) {
      throw new IllegalArgumentException("softmax is only allowed on the output layer");
    }
    return a;
  }

  private static void checkFeatures(List<String> features, List<String> label) {
    boolean ok = !features.isEmpty()
        && features.stream().noneMatch(String::isBlank)
        && new HashSet<>(features).size() == features.size()
        && (features.size() == 1 || !features.contains(ALL_FEATURES));
    if (!ok) {
      throw new ConfigException(Values.path("features") + " " + FEATURES_RULE + ", got "
          + (features.size() == 1 ? Values.show(features.get(0)) : Values.show(features)));
    }
    for (String l : label) {
      if (features.contains(l)) {
        throw new ConfigException(Values.path("features") + " must not contain the label column "
            + Values.show(l) + " (" + Values.path("label") + "), got "
            + (features.size() == 1 ? Values.show(features.get(0)) : Values.show(features)));
      }
    }
  }

  /** The {@code sparkprop} subtree of reference.conf on this class's class path. */
  private static Config reference() {
    Config all = ConfigFactory.parseResources(Settings.class.getClassLoader(), "reference.conf",
        ConfigParseOptions.defaults().setAllowMissing(false));
    if (!all.hasPath(Values.ROOT)) {
      throw new IllegalStateException("reference.conf on the class path has no '"
          + Values.ROOT + "' section");
    }
    return all.withOnlyPath(Values.ROOT).resolve();
  }

  /** The file's settings, wrapped in {@code sparkprop { }} when the file does not do it. */
  private static Config parseFile(Path file) {
    if (!Files.exists(file)) {
      throw new ConfigException("configuration file '" + file + "' does not exist");
    }
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new ConfigException("configuration file '" + file + "' is not a readable file");
    }
    try {
      // Absolute, so that relative includes resolve against the file's directory.
      Config config = ConfigFactory.parseFile(file.toAbsolutePath().toFile(),
          ConfigParseOptions.defaults().setAllowMissing(false));
      return config.root().containsKey(Values.ROOT) ? config : config.atKey(Values.ROOT);
    } catch (com.typesafe.config.ConfigException e) {
      throw oneLine(e, file);
    }
  }

  /** The command line's {@code KEY=VALUE} settings as one config; later ones win. */
  private static Config parseOverrides(List<String> overrides) {
    Config config = ConfigFactory.empty();
    for (String setting : overrides) {
      int eq = setting.indexOf('=');
      if (eq < 0 || setting.substring(0, eq).isBlank()) {
        throw new ConfigException("command-line setting '" + setting
            + "' is not KEY=VALUE, e.g. epochs=200");
      }
      String key = setting.substring(0, eq).trim();
      String text = setting.substring(eq + 1).trim();
      String path = key.equals(Values.ROOT) || key.startsWith(Values.ROOT + ".") ? key
          : Values.path(key);
      String origin = "command-line setting '" + setting + "'";
      try {
        ConfigUtil.splitPath(path);
      } catch (com.typesafe.config.ConfigException e) {
        throw new ConfigException(origin + " has an invalid key '" + key + "'");
      }
      ConfigValue value;
      if (HOCON_VALUE.matcher(text).matches()) {
        try {
          value = ConfigFactory.parseString("value = " + text,
              ConfigParseOptions.defaults().setOriginDescription(origin)).getValue("value");
        } catch (com.typesafe.config.ConfigException e) {
          throw new ConfigException(origin + " has a value that is not valid HOCON: "
              + detail(e), e);
        }
      } else {
        value = ConfigValueFactory.fromAnyRef(text, origin);
      }
      // As in a HOCON file: a later value wins, a later object merges into an earlier one.
      config = value.atPath(path).withFallback(config);
    }
    return config;
  }

  /**
   * Rejects keys of {@code user} that reference.conf does not have; returns the full paths of
   * the values {@code user} sets.
   */
  private static Set<String> checkKeys(Config user, Config reference, Set<String> referenceKeys) {
    Set<String> keys = new LinkedHashSet<>(leaves(user.root()));
    for (String key : keys.stream().sorted().toList()) {
      if (referenceKeys.contains(key) || underLeaf(key, referenceKeys)) {
        // Below a leaf (epochs { x = 1 }): the typed read rejects the object with its rule.
        continue;
      }
      if (reference.hasPath(key)
          && reference.getValue(key).valueType() == ConfigValueType.OBJECT) {
        throw new ConfigException(key + " must be a section with the keys "
            + String.join(", ", reference.getObject(key).keySet().stream().sorted().toList())
            + ", got " + Values.show(user.getValue(key)));
      }
      String message = "unknown configuration key '" + key + "'";
      Optional<String> near = Nearest.key(key, referenceKeys.stream().sorted().toList());
      throw new ConfigException(near.map(n -> message + " (did you mean '" + n + "'?)")
          .orElse(message));
    }
    return keys;
  }

  private static boolean underLeaf(String key, Set<String> referenceKeys) {
    List<String> segments = ConfigUtil.splitPath(key);
    for (int n = 1; n < segments.size(); n++) {
      if (referenceKeys.contains(ConfigUtil.joinPath(segments.subList(0, n)))) {
        return true;
      }
    }
    return false;
  }

  /** The full paths of the non-object values under {@code object}, nulls included. */
  private static Set<String> leaves(ConfigObject object) {
    Set<String> out = new LinkedHashSet<>();
    collectLeaves(object, new ArrayList<>(), out);
    return out;
  }

  private static void collectLeaves(ConfigObject object, List<String> prefix, Set<String> out) {
    for (Map.Entry<String, ConfigValue> e : object.entrySet()) {
      List<String> path = new ArrayList<>(prefix);
      path.add(e.getKey());
      if (e.getValue().valueType() == ConfigValueType.OBJECT) {
        collectLeaves((ConfigObject) e.getValue(), path, out);
      } else {
        out.add(ConfigUtil.joinPath(path));
      }
    }
  }

  /**
   * A parse or resolve error of the HOCON library as one line naming the file and line;
   * {@code file} (may be null) is named as the user wrote it.
   */
  private static ConfigException oneLine(com.typesafe.config.ConfigException e, Path file) {
    ConfigOrigin origin = e.origin();
    if (origin != null && origin.filename() != null) {
      String name = file != null && Path.of(origin.filename()).equals(file.toAbsolutePath())
          ? file.toString() : origin.filename();
      String line = origin.lineNumber() > 0 ? " line " + origin.lineNumber() : "";
      return new ConfigException(
          "configuration file '" + name + "'" + line + ": " + detail(e), e);
    }
    if (origin != null) {
      return new ConfigException(origin.description() + ": " + detail(e), e);
    }
    return new ConfigException("configuration: " + detail(e), e);
  }

  /** The library's message without its origin prefix, on one line. */
  private static String detail(com.typesafe.config.ConfigException e) {
    String message = String.valueOf(e.getMessage());
    ConfigOrigin origin = e.origin();
    if (origin != null && message.startsWith(origin.description() + ": ")) {
      message = message.substring(origin.description().length() + 2);
    }
    return message.replaceAll("\\s*\\R\\s*", " ").trim();
  }
}
