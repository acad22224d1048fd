package dev.sparkprop.spark;

import dev.sparkprop.io.InputMapping;
import dev.sparkprop.nn.Block;
import dev.sparkprop.nn.Checks;
import dev.sparkprop.nn.Network;
import dev.sparkprop.nn.NetworkSpec;
import dev.sparkprop.nn.Workspace;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Batch prediction: the input's rows, in blocks, through the network; each output row is the
 * input row followed by the prediction columns.
 *
 * <ul>
 *   <li>classification: {@code prediction} (class index, double), {@code predicted_label}
 *       (class name, when the labels were strings) and {@code probability} (ml Vector);</li>
 *   <li>regression: {@code prediction} (double) for one output, an ml Vector for several,
 *       in the label's original units.</li>
 * </ul>
 */
public final class Predictor implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String PREDICTION = "prediction";
  public static final String PREDICTED_LABEL = "predicted_label";
  public static final String PROBABILITY = "probability";

  private final NetworkSpec spec;
  private final double[] params;
  private final Standardizer features;
  private final double[] labelMean;
  private final double[] labelStd;
  private final boolean classification;
  private final List<String> classNames;
  private final int blockSize;

  public Predictor(NetworkSpec spec, double[] params, double[] featureMean, double[] featureStd,
      double[] labelMean, double[] labelStd, boolean classification, List<String> classNames,
      int blockSize) {
    this.spec = spec;
    this.params = params.clone();
    this.features = Standardizer.of(featureMean, featureStd);
    this.labelMean = labelMean;
    this.labelStd = labelStd;
    this.classification = classification;
    this.classNames = classNames == null ? null : List.copyOf(classNames);
    this.blockSize = blockSize;
  }

  /** The schema of {@link #predict}'s output: the input's columns plus the prediction columns. */
  public StructType outputSchema(StructType input) {
    List<StructField> fields = new ArrayList<>(Arrays.asList(input.fields()));
    for (String name : new String[] {PREDICTION, PREDICTED_LABEL, PROBABILITY}) {
      if (input.getFieldIndex(name).isDefined()) {
        throw new IllegalArgumentException("the input already has a column '" + name
            + "'; rename or drop it before predicting");
      }
    }
    if (classification) {
      fields.add(DataTypes.createStructField(PREDICTION, DataTypes.DoubleType, false));
      if (classNames != null) {
        fields.add(DataTypes.createStructField(PREDICTED_LABEL, DataTypes.StringType, false));
      }
      fields.add(DataTypes.createStructField(PROBABILITY, SQLDataTypes.VectorType(), false));
    } else if (spec.outputSize() == 1) {
      fields.add(DataTypes.createStructField(PREDICTION, DataTypes.DoubleType, false));
    } else {
      fields.add(DataTypes.createStructField(PREDICTION, SQLDataTypes.VectorType(), false));
    }
    return DataTypes.createStructType(fields);
  }

  /**
   * Predictions for {@code canonical} (the input with {@link InputMapping#FEATURES} appended as
   * its last column, already checked by a {@link DataScan}).
   */
  public Dataset<Row> predict(SparkSession spark, Dataset<Row> canonical) {
    StructType full = canonical.schema();
    int featuresIndex = full.fieldIndex(InputMapping.FEATURES);
    StructType input = DataTypes.createStructType(
        Arrays.copyOf(full.fields(), featuresIndex));
    StructType out = outputSchema(input);
    JavaRDD<Row> rows = canonical.javaRDD().mapPartitions(it -> predictPartition(it, featuresIndex));
    return spark.createDataFrame(rows, out);
  }

  /** Makes one output row from an input row and its network outputs. */
  @FunctionalInterface
  public interface RowOutput extends Serializable {
    /** {@code outputs[offset .. offset + outputSize)} are the row's outputs (not to be kept). */
    Row row(Row input, double[] outputs, int offset);
  }

  private Iterator<Row> predictPartition(Iterator<Row> it, int featuresIndex) {
    final int outputs = spec.outputSize();
    return mapPartition(it, featuresIndex, (row, out, off) -> outputRow(row, featuresIndex, out,
        off, outputs));
  }

  /**
   * One partition's rows through the network in blocks of up to {@code blockSize} rows: the
   * features at {@code featuresIndex} (an ml Vector or numeric array; a bad value throws,
   * naming it) are standardised, stacked, multiplied by BLAS level 3, and each row handed with
   * its outputs to {@code output}, in input order.
   */
  public Iterator<Row> mapPartition(Iterator<Row> it, int featuresIndex, RowOutput output) {
    final int fw = spec.inputSize();
    final int outputs = spec.outputSize();
    final Network network = new Network(spec);
    final Workspace ws = new Workspace(spec, Math.min(blockSize, 1024));
    final double[] x = new double[blockSize * fw];
    final Row[] pending = new Row[blockSize];
    return new Iterator<Row>() {
      int n;
      int next;
      double[] out;

      @Override
      public boolean hasNext() {
        if (next < n) {
          return true;
        }
        fill();
        return next < n;
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        int r = next++;
        return output.row(pending[r], out, r * outputs);
      }

      private void fill() {
        n = 0;
        next = 0;
        while (n < blockSize && it.hasNext()) {
          Row row = it.next();
          String problem = RowValues.readVector(row.get(featuresIndex), x, n * fw, fw,
              "features", null);
          if (problem != null) {
            throw new IllegalArgumentException(problem);
          }
          if (features != null) {
            features.apply(x, n * fw);
          }
          pending[n++] = row;
        }
        if (n > 0) {
          out = network.forward(params, new Block(n, fw, x, 0, null), ws);
        }
      }
    };
  }

  /**
   * The network's outputs for one row of raw (unstandardised) features: class probabilities,
   * or regression outputs before label scaling is undone ({@link #labelUnits}). For single
   * rows; {@link #mapPartition} is the path for data sets.
   */
  public double[] outputs(double[] rawFeatures) {
    int fw = spec.inputSize();
    Checks.arg(rawFeatures.length == fw, "features have %s values, the model expects %s",
        rawFeatures.length, fw);
    double[] x = rawFeatures.clone();
    for (int i = 0; i < fw; i++) {
      Checks.arg(Double.isFinite(x[i]), "feature %s is %s; features must be finite numbers", i,
          x[i]);
    }
    if (features != null) {
      features.apply(x, 0);
    }
    return new Network(spec).forward(params, new Block(1, fw, x, 0, null),
        new Workspace(spec, 1)).clone();
  }

  /**
   * The outputs {@code out[off .. off + outputSize)} of a regression network in the label's
   * own units (label standardisation undone), as a new array.
   */
  public double[] labelUnits(double[] out, int off) {
    int outputs = spec.outputSize();
    double[] p = Arrays.copyOfRange(out, off, off + outputs);
    if (labelMean != null) {
      for (int k = 0; k < outputs; k++) {
        p[k] = p[k] * labelStd[k] + labelMean[k];
      }
    }
    return p;
  }

  private Row outputRow(Row in, int featuresIndex, double[] out, int off, int outputs) {
    int extra = classification ? (classNames != null ? 3 : 2) : 1;
    Object[] values = new Object[featuresIndex + extra];
    for (int i = 0; i < featuresIndex; i++) {
      values[i] = in.get(i);
    }
    int j = featuresIndex;
    if (classification) {
      int best = 0;
      for (int k = 1; k < outputs; k++) {
        if (out[off + k] > out[off + best]) {
          best = k;
        }
      }
      values[j++] = (double) best;
      if (classNames != null) {
        values[j++] = classNames.get(best);
      }
      values[j] = Vectors.dense(Arrays.copyOfRange(out, off, off + outputs));
    } else {
      double[] p = labelUnits(out, off);
      values[j] = outputs == 1 ? (Object) p[0] : Vectors.dense(p);
    }
    return RowFactory.create(values);
  }
}
