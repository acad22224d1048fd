package dev.sparkprop.ml;

import dev.sparkprop.spark.FitSpec;
import org.apache.spark.ml.regression.Regressor;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;

/**
 * A fully connected network for regression, trained on Spark by sparkprop's library path: a
 * Spark ML {@code Regressor} for Pipelines, CrossValidator and ML persistence. Features are an
 * ml Vector column, the label a numeric column (standardised while training unless
 * {@code standardizeLabel} is false); the model adds {@code prediction} in the label's units.
 *
 * <pre>{@code
 * SparkpropRegressionModel model = new SparkpropRegressor()
 *     .setHiddenLayers(new int[] {32}).setHiddenActivation("tanh")
 *     .setSolver("lbfgs").setMaxIter(300).fit(train);
 * }</pre>
 */
public class SparkpropRegressor
    extends Regressor<Vector, SparkpropRegressor, SparkpropRegressionModel>
    implements SparkpropEstimatorParams<SparkpropRegressor>, DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private String uid;
  private SparkpropParamSet params;

  public SparkpropRegressor() {
    this(Uids.random("sparkpropRegressor"));
  }

  public SparkpropRegressor(String uid) {
    this(Uids.stash(uid));
  }

  private SparkpropRegressor(Uids.Token token) {
    super();
    uid();
    Uids.done();
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

  @Override
  public SparkpropRegressionModel train(Dataset<?> dataset) {
    return new SparkpropRegressionModel(uid(), Fits.fit(this, dataset, getFeaturesCol(),
        getLabelCol(), FitSpec.Task.REGRESSION, 0));
  }

  @Override
  public SparkpropRegressor copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static MLReader<SparkpropRegressor> read() {
    return new DefaultParamsReader<>();
  }

  public static SparkpropRegressor load(String path) {
    return read().load(path);
  }
}
