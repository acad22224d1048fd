package dev.sparkprop.ml;

import dev.sparkprop.spark.TrainedModel;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.classification.ProbabilisticClassificationModel;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReadable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A trained {@link SparkpropClassifier}: {@code transform} appends {@code rawPrediction} (the
 * network's outputs), {@code probability} and {@code prediction}, predicting in blocks.
 * With the default softmax output the raw outputs are already the class probabilities.
 */
public class SparkpropClassificationModel
    extends ProbabilisticClassificationModel<Vector, SparkpropClassificationModel>
    implements SparkpropParams, MLWritable {
  private static final long serialVersionUID = 1L;

  private String uid;
  private SparkpropParamSet params;
  private final transient TrainedModel trained;

  /** An empty model, for Spark's service lookup only: it holds no network. */
  public SparkpropClassificationModel() {
    this(Uids.random("sparkpropClassifier"), null);
  }

  public SparkpropClassificationModel(String uid, TrainedModel trained) {
    this(Uids.stash(uid), trained);
  }

  private SparkpropClassificationModel(Uids.Token token, TrainedModel trained) {
    super();
    uid();
    Uids.done();
    this.trained = trained;
    sparkpropParams().setDefaults(this);
  }

  @Override
  public String uid() {
    if (uid == null) {
      uid = Uids.take();
    }
    return uid;
  }

  @Override
  public SparkpropParamSet sparkpropParams() {
    if (params == null) {
      params = new SparkpropParamSet(this);
    }
    return params;
  }

  /** The trained network and what its inputs and outputs mean. */
  public TrainedModel trainedModel() {
    if (trained == null) {
      throw new IllegalStateException("this SparkpropClassificationModel holds no network "
          + "(made empty); fit a SparkpropClassifier or load a saved model");
    }
    return trained;
  }

  @Override
  public int numClasses() {
    return trainedModel().network().outputSize();
  }

  @Override
  public int numFeatures() {
    return trainedModel().network().inputSize();
  }

  /** The flat parameter vector (the layout of the README's model format), as MLPC's weights. */
  public Vector weights() {
    return Vectors.dense(trainedModel().model().params());
  }

  /** Layer sizes, input to output, as MLPC's {@code layers}. */
  public int[] layers() {
    return trainedModel().network().sizes();
  }

  @Override
  public Vector predictRaw(Vector features) {
    return Vectors.dense(trainedModel().predictor().outputs(features.toArray()));
  }

  @Override
  public Vector raw2probabilityInPlace(Vector rawPrediction) {
    DenseVector dense = (DenseVector) rawPrediction;
    if (trainedModel().outputIsSoftmax()) {
      return dense;
    }
    double[] values = dense.values();
    double[] p = BlockTransform.probabilities(values, 0, values.length);
    System.arraycopy(p, 0, values, 0, p.length);
    return dense;
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType out = transformSchema(dataset.schema(), true);
    StructType in = dataset.schema();
    List<BlockTransform.Kind> kinds = new ArrayList<>();
    for (StructField f : out.fields()) {
      if (in.getFieldIndex(f.name()).isDefined()) {
        continue;
      }
      if (f.name().equals(getRawPredictionCol())) {
        kinds.add(BlockTransform.Kind.RAW);
      } else if (f.name().equals(getProbabilityCol())) {
        kinds.add(BlockTransform.Kind.PROBABILITY);
      } else if (f.name().equals(getPredictionCol())) {
        kinds.add(BlockTransform.Kind.PREDICTION);
      } else {
        throw new IllegalStateException("unexpected output column " + f.name());
      }
    }
    double[] thresholds = isDefined(thresholds()) ? getThresholds() : null;
    if (thresholds != null && thresholds.length != numClasses()) {
      throw new IllegalArgumentException("thresholds has " + thresholds.length + " values, but "
          + "the model has " + numClasses() + " classes");
    }
    return BlockTransform.apply(dataset.toDF(), trainedModel(), getFeaturesCol(), out,
        kinds.toArray(BlockTransform.Kind[]::new), thresholds);
  }

  @Override
  @SuppressWarnings({"rawtypes", "unchecked"})
  public scala.Tuple3 findSummaryModel() {
    return super.findSummaryModel();
  }

  @Override
  public SparkpropClassificationModel copy(ParamMap extra) {
    return copyValues(new SparkpropClassificationModel(uid(), trained), extra)
        .setParent(parent());
  }

  @Override
  public MLWriter write() {
    return ModelIO.writer(this, trainedModel());
  }

  public static MLReader<SparkpropClassificationModel> read() {
    return ModelIO.reader(SparkpropClassificationModel.class, SparkpropClassificationModel::new);
  }

  public static SparkpropClassificationModel load(String path) {
    return read().load(path);
  }

  @Override
  public String toString() {
    return "SparkpropClassificationModel: uid=" + uid() + (trained == null ? ", empty"
        : ", network=" + TrainedModel.describe(trained.network()) + ", numClasses="
            + numClasses() + ", numFeatures=" + numFeatures());
  }
}
