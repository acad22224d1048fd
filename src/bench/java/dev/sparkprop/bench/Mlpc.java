package dev.sparkprop.bench;

import dev.sparkprop.nn.LayerSpec;
import dev.sparkprop.nn.NetworkSpec;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.classification.MultilayerPerceptronClassificationModel;
import org.apache.spark.ml.classification.MultilayerPerceptronClassifier;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Spark MLlib's {@code MultilayerPerceptronClassifier} (sigmoid hidden layers, softmax +
 * cross-entropy output: the same network as sparkprop's), timed per iteration from the
 * scheduler's job events, started from sparkprop's own initial weights.
 *
 * <p>Learning-rate semantics: MLPC's {@code gd} steps {@code w -= stepSize * g} with a constant
 * step (its {@code ANNUpdater} has no decay), where g is the mean over blocks of each block's
 * row-mean gradient, i.e. the row mean when all blocks are full; sparkprop's {@code gd} steps
 * {@code w -= learningRate * (row-mean gradient)}. So {@code stepSize = learningRate} is the same
 * update, up to the weight of each partition's last, partial block.
 */
final class Mlpc {
  private Mlpc() {}

  /** Per-iteration seconds (samples after warm-up), passes per iteration and the loss history. */
  record Timing(List<Double> secondsPerIteration, List<Double> passSeconds,
      List<Double> passCpuSeconds,
      double passesPerIteration, double[] objectiveHistory,
      MultilayerPerceptronClassificationModel model) {}

  /**
   * sparkprop's flat parameters (per layer: W row-major [out, in], then b) in MLPC's layout
   * (per layer: W column-major [out, in], then b).
   */
  static double[] toMlpcWeights(NetworkSpec spec, double[] params) {
    double[] w = new double[params.length];
    for (int l = 0; l < spec.numLayers(); l++) {
      LayerSpec layer = spec.layer(l);
      int in = layer.inputs();
      int out = layer.outputs();
      int off = spec.weightOffset(l);
      for (int o = 0; o < out; o++) {
        for (int i = 0; i < in; i++) {
          w[off + o + i * out] = params[off + o * in + i];
        }
      }
      System.arraycopy(params, spec.biasOffset(l), w, spec.biasOffset(l), out);
    }
    return w;
  }

  static MultilayerPerceptronClassifier classifier(NetworkSpec spec, double[] params,
      String solver, int blockSize, double stepSize, int maxIter) {
    return new MultilayerPerceptronClassifier()
        .setLayers(spec.sizes())
        .setSolver(solver)
        .setBlockSize(blockSize)
        .setStepSize(stepSize)
        .setMaxIter(maxIter)
        .setTol(0.0)
        .setSeed(1L)
        .setInitialWeights(Vectors.dense(toMlpcWeights(spec, params)));
  }

  /**
   * One fit of {@code warmup + iterations} iterations. For {@code gd} each iteration is one
   * treeAggregate job, and an iteration's time is the gap between consecutive job ends (the
   * driver's update, the broadcast and the pass); the first {@code warmup} gaps are dropped. For
   * {@code l-bfgs} an iteration is one or more passes (line search): the time from the end of
   * the pass at the initial weights to the end of the last pass, divided by the iterations.
   */
  static Timing time(JobTimes jobs, Dataset<Row> data, NetworkSpec spec, double[] params,
      String solver, int blockSize, double stepSize, int warmup, int iterations) {
    MultilayerPerceptronClassifier c = classifier(spec, params, solver, blockSize, stepSize,
        warmup + iterations);
    int mark = jobs.mark();
    MultilayerPerceptronClassificationModel model = c.fit(data);
    List<JobTimes.Job> passes = jobs.since(mark, "treeAggregate");
    if (System.getenv("BENCH_DEBUG") != null) {
      jobs.since(mark, "").forEach(j -> System.err.println("job " + j));
      System.err.println("history " + java.util.Arrays.toString(
          model.summary().objectiveHistory()));
    }
    double[] history = model.summary().objectiveHistory();
    List<Double> pass = new ArrayList<>();
    List<Double> passCpu = new ArrayList<>();
    List<Double> perIteration = new ArrayList<>();
    double passesPerIteration;
    if (solver.equals("gd")) {
      // MLlib's loop runs maxIter + 1 gradient passes (it also evaluates the final weights).
      if (passes.size() < warmup + iterations) {
        throw new IllegalStateException("MLPC gd ran " + passes.size()
            + " gradient jobs, expected at least " + (warmup + iterations));
      }
      for (int k = Math.max(1, warmup); k < passes.size(); k++) {
        perIteration.add((passes.get(k).end() - passes.get(k - 1).end()) / 1e3);
        pass.add(passes.get(k).millis() / 1e3);
        passCpu.add(passes.get(k).cpuNanos() / 1e9);
      }
      passesPerIteration = 1.0;
    } else {
      int its = history.length - 1;
      if (its < 1 || passes.size() < 2) {
        throw new IllegalStateException("MLPC " + solver + " ran " + its + " iterations in "
            + passes.size() + " passes");
      }
      long span = passes.get(passes.size() - 1).end() - passes.get(0).end();
      perIteration.add(span / 1e3 / its);
      for (JobTimes.Job j : passes) {
        pass.add(j.millis() / 1e3);
        passCpu.add(j.cpuNanos() / 1e9);
      }
      passesPerIteration = (passes.size() - 1) / (double) its;
    }
    return new Timing(perIteration, pass, passCpu, passesPerIteration, history, model);
  }

  static double accuracy(MultilayerPerceptronClassificationModel model, Dataset<Row> test) {
    return new MulticlassClassificationEvaluator().setMetricName("accuracy")
        .evaluate(model.transform(test));
  }
}
