package dev.sparkprop.ml;

import dev.sparkprop.spark.Predictor;
import dev.sparkprop.spark.TrainedModel;
import java.util.Arrays;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;

/**
 * {@code transform} of sparkprop's Spark ML models: each partition's rows go through the
 * network in blocks ({@link Predictor#mapPartition}: BLAS level 3, no per-row network call),
 * with the parameters broadcast once per transform; the output columns are appended in the
 * order of the schema that {@code transformSchema} gave.
 */
final class BlockTransform {
  private BlockTransform() {}

  /** What one appended column holds. */
  enum Kind { RAW, PROBABILITY, PREDICTION }

  /**
   * {@code data} with the columns of {@code out} beyond its own, each of {@code kinds} (same
   * order).
   *
   * @param thresholds Spark's class thresholds for the prediction, or null for the argmax
   */
  static Dataset<Row> apply(Dataset<Row> data, TrainedModel trained, String featuresCol,
      StructType out, Kind[] kinds, double[] thresholds) {
    int featuresIndex = data.schema().fieldIndex(featuresCol);
    int width = data.schema().fields().length;
    boolean classification = trained.isClassification();
    boolean softmax = trained.outputIsSoftmax();
    int outputs = trained.network().outputSize();
    Broadcast<Predictor> predictor = JavaSparkContext.fromSparkContext(
        data.sparkSession().sparkContext()).broadcast(trained.predictor());
    JavaRDD<Row> rows = data.javaRDD().mapPartitions(it -> {
      Predictor p = predictor.value();
      return p.mapPartition(it, featuresIndex, (row, o, off) -> {
        Object[] values = new Object[width + kinds.length];
        for (int i = 0; i < width; i++) {
          values[i] = row.get(i);
        }
        double[] probability = !classification ? null
            : softmax ? Arrays.copyOfRange(o, off, off + outputs) : probabilities(o, off, outputs);
        for (int k = 0; k < kinds.length; k++) {
          values[width + k] = switch (kinds[k]) {
            case RAW -> Vectors.dense(Arrays.copyOfRange(o, off, off + outputs));
            case PROBABILITY -> Vectors.dense(probability);
            case PREDICTION -> classification ? prediction(probability, thresholds)
                : p.labelUnits(o, off)[0];
          };
        }
        return RowFactory.create(values);
      });
    });
    return data.sparkSession().createDataFrame(rows, out);
  }

  /**
   * Class probabilities from the outputs of a network whose output is not a softmax (sigmoid,
   * identity, ...): clamped at 0 and normalised to sum 1 (uniform when all are 0). Softmax
   * outputs are the probabilities as they are.
   */
  static double[] probabilities(double[] o, int off, int outputs) {
    double[] p = new double[outputs];
    double sum = 0;
    for (int k = 0; k < outputs; k++) {
      p[k] = Math.max(0.0, o[off + k]);
      sum += p[k];
    }
    for (int k = 0; k < outputs; k++) {
      p[k] = sum > 0 ? p[k] / sum : 1.0 / outputs;
    }
    return p;
  }

  /**
   * Spark's rule: the class of the largest probability, or with thresholds the largest
   * {@code p / t} (a threshold of 0 wins outright), the first on ties.
   */
  static double prediction(double[] probability, double[] thresholds) {
    int best = 0;
    double bestValue = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < probability.length; k++) {
      double v = thresholds == null ? probability[k]
          : thresholds[k] == 0.0 ? Double.POSITIVE_INFINITY : probability[k] / thresholds[k];
      if (v > bestValue) {
        best = k;
        bestValue = v;
      }
    }
    return best;
  }
}
