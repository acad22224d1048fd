package dev.sparkprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkprop.optim.Adam;
import dev.sparkprop.optim.GradientDescent;
import dev.sparkprop.optim.Lbfgs;
import dev.sparkprop.optim.Momentum;
import dev.sparkprop.optim.Schedule;
import dev.sparkprop.optim.StepSpec;
import dev.sparkprop.testing.Cli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The optimizer and training-control keys: read into specs, checked, written back. */
class OptimizerSettingsTest {
  private static Settings load(String... overrides) {
    return Settings.load(null, List.of(overrides));
  }

  @Test
  void load_adamWithScheduleAndClipping_everyKeyInTheSpec() {
    Settings s = load("optimizer.name=adam", "optimizer.learning-rate=0.003",
        "optimizer.batch-size=128", "optimizer.beta1=0.8", "optimizer.beta2=0.99",
        "optimizer.epsilon=1e-7", "optimizer.schedule=cosine", "optimizer.min-learning-rate=1e-5",
        "optimizer.warmup-epochs=3", "optimizer.clip-norm=5", "optimizer.weight-decay=1e-4");
    assertEquals(new Adam(new StepSpec(0.003, new Schedule(Schedule.Kind.COSINE, 10, 0.5, 1e-5,
        3), 128, 5.0, 1e-4), 0.8, 0.99, 1e-7), s.optimizer());
  }

  @Test
  void load_eachOptimizer_itsSpec() {
    assertEquals("sgd", load("optimizer.name=sgd").optimizer().id());
    assertEquals(64, ((GradientDescent) load("optimizer.name=sgd").optimizer()).steps()
        .batchSize());
    Momentum m = (Momentum) load("optimizer.name=momentum", "optimizer.nesterov=true",
        "optimizer.momentum=0.5", "optimizer.batch-size=0").optimizer();
    assertEquals(0.5, m.momentum());
    assertEquals(true, m.nesterov());
    assertEquals(0, m.steps().batchSize());
    assertEquals(new Lbfgs(5, 1e-9, 0.01), load("optimizer.name=lbfgs",
        "optimizer.history-size=5", "optimizer.tolerance=1e-9", "optimizer.weight-decay=0.01")
        .optimizer());
  }

  @Test
  void render_everyOptimizerLoadedBack_equalsOriginal() {
    for (String name : Optimizers.names()) {
      Settings s = load("optimizer.name=" + name, "early-stopping.patience=4",
          "validation-fraction=0.1", "checkpoint.dir=/c", "checkpoint.every=3");
      assertEquals(s, Settings.loadText(s.render(), "rendered", List.of()), name);
    }
  }

  @Test
  void load_localSteps_inTheStepSpecAndTheEffectiveConfiguration() {
    Settings s = load("optimizer.name=adam", "optimizer.batch-size=256",
        "optimizer.local-steps=8");
    assertEquals(8, ((Adam) s.optimizer()).steps().localSteps());
    assertEquals(1, ((Adam) load("optimizer.name=adam").optimizer()).steps().localSteps());
    assertEquals(s.optimizer(), Settings.loadText(s.render(), "checkpoint 'x'", List.of())
        .optimizer());
  }

  @Test
  void loadText_overridesApplyOnTop() {
    Settings s = load("optimizer.name=adam", "epochs=7");
    Settings more = Settings.loadText(s.render(), "checkpoint 'x'", List.of("epochs=9"));
    assertEquals(9, more.epochs());
    assertEquals(s.optimizer(), more.optimizer());
  }

  private static List<String> warnings(Path conf, String... overrides) {
    List<String> warnings = new ArrayList<>();
    Settings.load(conf, List.of(overrides), warnings::add);
    return warnings;
  }

  @Test
  void load_otherOptimizersKeyOnCommandLine_warnsAndIgnoresIt() {
    List<String> warnings = new ArrayList<>();
    Settings s = Settings.load(null, List.of("optimizer.name=adam", "optimizer.momentum=0.5"),
        warnings::add);
    assertEquals(List.of("sparkprop.optimizer.momentum is a setting of optimizer momentum, not "
        + "of adam (sparkprop.optimizer.name); it is ignored"), warnings);
    assertEquals(load("optimizer.name=adam").optimizer(), s.optimizer());
  }

  @Test
  void load_fileSetsLearningRateCommandLineSwitchesToLbfgs_oneWarning(@TempDir Path dir)
      throws IOException {
    Path conf = Files.writeString(dir.resolve("run.conf"),
        "optimizer { name = adam, learning-rate = 0.01, beta1 = 0.8 }\n");
    assertEquals(List.of("sparkprop.optimizer.learning-rate is a setting of optimizer gd, sgd, "
            + "momentum or adam, not of lbfgs (sparkprop.optimizer.name); it is ignored",
        "sparkprop.optimizer.beta1 is a setting of optimizer adam, not of lbfgs "
            + "(sparkprop.optimizer.name); it is ignored"),
        warnings(conf, "optimizer.name=lbfgs"));
    assertEquals(List.of(), warnings(conf), "adam reads both keys");
  }

  @Test
  void load_localStepsAndBatchSizeUnderGd_aWarningEach() {
    // batch-size=64 makes local-steps=4 valid for sgd; both are keys gd does not read.
    assertEquals(List.of("sparkprop.optimizer.batch-size is a setting of optimizer sgd, "
        + "momentum or adam, not of gd (sparkprop.optimizer.name); it is ignored",
        "sparkprop.optimizer.local-steps is a setting of optimizer sgd, momentum or adam, not "
            + "of gd (sparkprop.optimizer.name); it is ignored"),
        warnings(null, "optimizer.local-steps=4", "optimizer.batch-size=64"));
  }

  @Test
  void load_batchSizeZeroUnderGd_validForAdamSoOnlyAWarning() {
    assertEquals(1, warnings(null, "optimizer.batch-size=0").size());
  }

  @Test
  void train_inapplicableKey_warningLineThenRunGoesOn(@TempDir Path dir) {
    Cli.Run r = Cli.run("train", "optimizer.name=lbfgs", "optimizer.learning-rate=0.1",
        "input=" + dir.resolve("missing.csv"), "output=" + dir.resolve("m"));
    assertTrue(r.out().contains("sparkprop: warning: sparkprop.optimizer.learning-rate is a "
        + "setting of optimizer gd, sgd, momentum or adam, not of lbfgs"), r.out());
    // The run went past the settings: it stops at the missing input, not at the key.
    assertEquals(ExitCode.INPUT.code, r.code(), r.err());
    assertTrue(r.errLine().contains("does not exist"), r.errLine());
  }

  static Stream<Arguments> rejected() {
    return Stream.of(
        // A key of another optimizer is ignored with a warning, but its value is checked.
        Arguments.of(List.of("optimizer.name=lbfgs", "optimizer.learning-rate=-1"),
            "sparkprop.optimizer.learning-rate must be a number > 0, got -1"),
        Arguments.of(List.of("optimizer.name=adam", "optimizer.momentum=1"),
            "sparkprop.optimizer.momentum must be a number >= 0 and < 1, got 1"),
        Arguments.of(List.of("optimizer.batch-size=-1"),
            "sparkprop.optimizer.batch-size must be an integer >= 1, got -1"),
        Arguments.of(List.of("optimizer.name=sgd", "optimizer.batch-size=0"),
            "sparkprop.optimizer.batch-size must be an integer >= 1, got 0"),
        Arguments.of(List.of("optimizer.name=adam", "optimizer.batch-size=-1"),
            "sparkprop.optimizer.batch-size must be an integer >= 0, got -1"),
        Arguments.of(List.of("optimizer.name=adam", "optimizer.local-steps=0"),
            "sparkprop.optimizer.local-steps must be an integer >= 1, got 0"),
        Arguments.of(List.of("optimizer.name=adam", "optimizer.batch-size=0",
            "optimizer.local-steps=4"), "sparkprop.optimizer.local-steps = 4 needs mini-batches;"
            + " set sparkprop.optimizer.batch-size > 0"),
        // Not a key of gd, so only a warning if valid (see above); but 0 is valid nowhere.
        Arguments.of(List.of("optimizer.local-steps=0"),
            "sparkprop.optimizer.local-steps must be an integer >= 1, got 0"),
        Arguments.of(List.of("optimizer.name=adam", "optimizer.beta2=1"),
            "sparkprop.optimizer.beta2 must be a number >= 0 and < 1, got 1"),
        Arguments.of(List.of("optimizer.name=momentum", "optimizer.momentum=1.5"),
            "sparkprop.optimizer.momentum must be a number >= 0 and < 1, got 1.5"),
        Arguments.of(List.of("optimizer.schedule=linear"), "sparkprop.optimizer.schedule must "
            + "be one of constant, step, exponential, cosine, got \"linear\""),
        Arguments.of(List.of("optimizer.schedule=step", "optimizer.schedule-rate=2"),
            "sparkprop.optimizer.schedule-rate must be a number > 0 and <= 1, got 2"),
        Arguments.of(List.of("optimizer.schedule=cosine", "optimizer.min-learning-rate=0.1"),
            "sparkprop.optimizer.min-learning-rate must be below sparkprop.optimizer."
                + "learning-rate (0.1), got 0.1"),
        Arguments.of(List.of("optimizer.warmup-epochs=100"), "sparkprop.optimizer.warmup-epochs "
            + "must be < sparkprop.epochs (100), got 100"),
        Arguments.of(List.of("optimizer.clip-norm=-1"),
            "sparkprop.optimizer.clip-norm must be a number >= 0, got -1"),
        Arguments.of(List.of("optimizer.name=lbfgs", "optimizer.history-size=0"),
            "sparkprop.optimizer.history-size must be an integer >= 1, got 0"),
        Arguments.of(List.of("early-stopping.patience=5"), "sparkprop.early-stopping.patience "
            + "needs validation data: set sparkprop.validation-fraction or "
            + "sparkprop.validation-input"),
        Arguments.of(List.of("early-stopping.patience=5", "validation-fraction=0.1",
            "early-stopping.min-delta=-0.5"),
            "sparkprop.early-stopping.min-delta must be a number >= 0, got -0.5"),
        Arguments.of(List.of("validation-input=/v.csv", "validation-fraction=0.1"),
            "sparkprop.validation-input and sparkprop.validation-fraction are two sources of "
                + "validation data; set one, got \"/v.csv\" and 0.1"),
        Arguments.of(List.of("checkpoint.every=0"),
            "sparkprop.checkpoint.every must be an integer >= 1, got 0"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rejected")
  void load_invalidTrainingSetting_rejectedNamingKeyAndValue(List<String> overrides,
      String message) {
    ConfigException e = assertThrows(ConfigException.class,
        () -> Settings.load(null, overrides));
    assertEquals(message, e.getMessage());
  }
}
