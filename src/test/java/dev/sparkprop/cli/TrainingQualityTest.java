package dev.sparkprop.cli;

import dev.sparkprop.testing.NormalEquations;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparkprop.testing.Cli;
import dev.sparkprop.testing.Cli.Run;
import dev.sparkprop.io.ModelStore;
import dev.sparkprop.spark.Split;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quality on real data, through the shipped configurations exactly as the README runs them
 * (seeded 80/20 splits, local[2]): digits with Adam, concrete with L-BFGS, and diabetes, where
 * weight decay and early stopping must bring a network to a least-squares line's test R².
 */
// Slow tier (the shipped configurations in full): `mvn test -Dgroups='!slow'` leaves it out.
@Tag("slow")
class TrainingQualityTest {
  @TempDir
  static Path tmp;

  /** The test metrics that {@code train --conf conf/NAME.conf} saved with its model. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> trainAndTest(String name) throws IOException {
    Path out = tmp.resolve(name);
    Run r = Cli.run("train", "--conf", "conf/" + name + ".conf", "output=" + out,
        "log-every=1000");
    assertEquals(0, r.code(), r.out() + r.err());
    System.out.println(name + ": " + r.out().lines().filter(l -> l.startsWith("test:")
        || l.startsWith("stopped:") || l.startsWith("trained")).toList());
    Map<String, Object> training = (Map<String, Object>) ModelStore.load(out).metadata()
        .get("training");
    return (Map<String, Object>) training.get("test");
  }

  private static double metric(Map<String, Object> test, String name) {
    return ((Number) test.get(name)).doubleValue();
  }

  @Test
  void digits_adam_testAccuracyAtLeast097() throws IOException {
    double accuracy = metric(trainAndTest("digits"), "accuracy");
    assertTrue(accuracy >= 0.97, "test accuracy " + accuracy);
  }

  @Test
  void concrete_lbfgs_testR2AtLeast085() throws IOException {
    double r2 = metric(trainAndTest("concrete"), "r2");
    assertTrue(r2 >= 0.85, "test R² " + r2);
  }

  @Test
  void diabetes_weightDecayAndEarlyStopping_testR2WithinFiveHundredthsOfLeastSquares()
      throws IOException {
    double network = metric(trainAndTest("diabetes"), "r2");
    double linear = leastSquaresTestR2(Path.of("src/data/diabetes.csv"), 42, 0.2, 0.2);
    System.out.printf("diabetes test R²: network %.4f, least squares %.4f%n", network, linear);
    assertTrue(network >= linear - 0.05, "network " + network + ", least squares " + linear);
  }

  /**
   * The test R² of ordinary least squares (with intercept, normal equations) fitted on every
   * row that is not a test row of the seeded split, as sparkprop splits by input row order.
   */
  static double leastSquaresTestR2(Path csv, long seed, double validationFraction,
      double testFraction) throws IOException {
    List<String> lines = Files.readAllLines(csv);
    int p = lines.get(0).split(",").length; // features + intercept (the label is the last)
    double[][] normal = new double[p][p + 1];
    List<double[]> test = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      String[] f = lines.get(i).split(",");
      double[] a = new double[p + 1];
      for (int j = 0; j < p - 1; j++) {
        a[j] = Double.parseDouble(f[j]);
      }
      a[p - 1] = 1;
      a[p] = Double.parseDouble(f[p - 1]);
      if (Split.of(seed, i - 1, validationFraction, testFraction) == Split.TEST) {
        test.add(a);
        continue;
      }
      for (int r = 0; r < p; r++) {
        for (int c = 0; c <= p; c++) {
          normal[r][c] += a[r] * a[c];
        }
      }
    }
    double[] beta = NormalEquations.solve(normal);
    double mean = test.stream().mapToDouble(a -> a[p]).average().orElseThrow();
    double sse = 0;
    double sst = 0;
    for (double[] a : test) {
      double prediction = 0;
      for (int j = 0; j < p; j++) {
        prediction += beta[j] * a[j];
      }
      sse += (a[p] - prediction) * (a[p] - prediction);
      sst += (a[p] - mean) * (a[p] - mean);
    }
    return 1 - sse / sst;
  }
}
