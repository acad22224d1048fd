package dev.sparkprop.ml;

import dev.sparkprop.spark.TrainedModel;
import org.apache.spark.ml.regression.RegressionModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReadable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * A trained {@link SparkpropRegressor}: {@code transform} appends {@code prediction}, in the
 * label's own units, predicting in blocks.
 */
public class SparkpropRegressionModel
    extends RegressionModel<Vector, SparkpropRegressionModel>
    implements SparkpropParams, MLWritable {
  private static final long serialVersionUID = 1L;

  private String uid;
  private SparkpropParamSet params;
  private final transient TrainedModel trained;

  /** An empty model, for Spark's service lookup only: it holds no network. */
  public SparkpropRegressionModel() {
    this(Uids.random("sparkpropRegressor"), null);
  }

  public SparkpropRegressionModel(String uid, TrainedModel trained) {
    this(Uids.stash(uid), trained);
  }

  private SparkpropRegressionModel(Uids.Token token, TrainedModel trained) {
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
      throw new IllegalStateException("this SparkpropRegressionModel holds no network "
          + "(made empty); fit a SparkpropRegressor or load a saved model");
    }
    return trained;
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
  public double predict(Vector features) {
    TrainedModel t = trainedModel();
    return t.predictor().labelUnits(t.predictor().outputs(features.toArray()), 0)[0];
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType out = transformSchema(dataset.schema(), true);
    if (getPredictionCol().isEmpty()) {
      return dataset.toDF();
    }
    return BlockTransform.apply(dataset.toDF(), trainedModel(), getFeaturesCol(), out,
        new BlockTransform.Kind[] {BlockTransform.Kind.PREDICTION}, null);
  }

  @Override
  public SparkpropRegressionModel copy(ParamMap extra) {
    return copyValues(new SparkpropRegressionModel(uid(), trained), extra)
        .setParent(parent());
  }

  @Override
  public MLWriter write() {
    return ModelIO.writer(this, trainedModel());
  }

  public static MLReader<SparkpropRegressionModel> read() {
    return ModelIO.reader(SparkpropRegressionModel.class, SparkpropRegressionModel::new);
  }

  public static SparkpropRegressionModel load(String path) {
    return read().load(path);
  }

  @Override
  public String toString() {
    return "SparkpropRegressionModel: uid=" + uid() + (trained == null ? ", empty"
        : ", network=" + TrainedModel.describe(trained.network()) + ", numFeatures="
            + numFeatures());
  }
}
