package dev.sparkprop.bench;

import dev.sparkprop.nn.*;
import dev.sparkprop.optim.*;
import dev.sparkprop.spark.SparkObjective;
import dev.sparkprop.train.*;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/** Scratch profiling harness (not committed). */
public final class Prof {
  public static void main(String[] a) {
    SparkSession spark = SparkSession.builder().master("local[2]").config("spark.ui.enabled", "false")
        .config("spark.task.maxDirectResultSize", "64m").getOrCreate();
    spark.sparkContext().setLogLevel("ERROR");
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    NetworkSpec spec = NetworkSpec.of(new int[] {784, 256, 128, 10}, Activation.RELU, Activation.SOFTMAX, Loss.CROSS_ENTROPY);
    Source src = new Source.FashionMnist("/usr/share/datasets/fashion-mnist", true, 0);
    Precision prec = a.length > 1 && a[1].equals("f32") ? Precision.FLOAT32 : Precision.FLOAT64;
    var blocks = Source.blocks(sc, src, 2, 1024).map(b -> {
      long[] ids = new long[b.rows]; return b.withRowIds(ids).to(prec); });
    // ids: make them distinct
    var withIds = Source.blocks(sc, src, 2, 1024).mapPartitionsWithIndex((p, it) -> {
      java.util.List<Block> out = new java.util.ArrayList<>(); long n = p * 1_000_000L;
      while (it.hasNext()) { Block b = it.next(); long[] ids = new long[b.rows];
        for (int i = 0; i < b.rows; i++) ids[i] = n++; out.add(b.withRowIds(ids).to(prec)); }
      return out.iterator(); }, true);
    int epochs = Integer.parseInt(a[0]);
    int k = a.length > 2 ? Integer.parseInt(a[2]) : 1;
    try (SparkObjective obj = new SparkObjective(withIds, spec, 2)) {
      double[] init = Init.AUTO.initialize(spec, 42);
      StepSpec steps = new StepSpec(0.001, Schedule.constant(), 256, 0, 0);
      Trainer t = new Trainer(new Adam(steps, 0.9, 0.999, 1e-8), epochs);
      Trainer.Result r = t.fit(obj, null, init, e -> System.out.printf("epoch %d %.3f s loss %.4f%n", e.epoch(), e.seconds(), e.trainLoss()));
    }
    spark.stop();
  }
}
