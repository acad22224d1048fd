package dev.sparkprop.ml;

import dev.sparkprop.spark.FitSpec;
import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.BinaryAttribute;
import org.apache.spark.ml.attribute.NominalAttribute;
import org.apache.spark.ml.classification.ProbabilisticClassifier;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.StructField;

/**
 * A fully connected network for classification, trained on Spark by sparkprop's library path:
 * a Spark ML {@code ProbabilisticClassifier} for Pipelines, CrossValidator and ML persistence.
 * Features are an ml Vector column, the label a numeric column with classes 0..K-1 (K from the
 * label's ML attribute, as {@code StringIndexer} sets it, else from the data); the model adds
 * {@code rawPrediction}, {@code probability} and {@code prediction}.
 *
 * <pre>{@code
 * SparkpropClassifier mlp = new SparkpropClassifier()
 *     .setHiddenLayers(new int[] {64}).setHiddenActivation("tanh")
 *     .setSolver("adam").setStepSize(0.03).setBatchSize(0).setMaxIter(200);
 * SparkpropClassificationModel model = mlp.fit(train);
 * }</pre>
 */
public class SparkpropClassifier
    extends ProbabilisticClassifier<Vector, SparkpropClassifier, SparkpropClassificationModel>
    implements SparkpropEstimatorParams<SparkpropClassifier>, DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private String uid;
  private SparkpropParamSet params;

  public SparkpropClassifier() {
    this(Uids.random("sparkpropClassifier"));
  }

  public SparkpropClassifier(String uid) {
    this(Uids.stash(uid));
  }

  private SparkpropClassifier(Uids.Token token) {
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
  public SparkpropClassificationModel train(Dataset<?> dataset) {
    int numClasses = numClasses(dataset.schema().apply(getLabelCol()));
    return new SparkpropClassificationModel(uid(), Fits.fit(this, dataset, getFeaturesCol(),
        getLabelCol(), FitSpec.Task.CLASSIFICATION, numClasses));
  }

  /** Classes known from the label's ML attribute (StringIndexer's), or 0 to count them. */
  static int numClasses(StructField label) {
    Attribute a = Attribute.fromStructField(label);
    if (a instanceof BinaryAttribute) {
      return 2;
    }
    if (a instanceof NominalAttribute n && n.getNumValues().isDefined()) {
      int k = (Integer) n.getNumValues().get();
      return k >= 2 ? k : 0;
    }
    return 0;
  }

  @Override
  public SparkpropClassifier copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static MLReader<SparkpropClassifier> read() {
    return new DefaultParamsReader<>();
  }

  public static SparkpropClassifier load(String path) {
    return read().load(path);
  }
}
