package dev.sparkprop.ml;

import dev.sparkprop.io.ModelStore;
import dev.sparkprop.spark.TrainedModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;
import scala.Option;

/**
 * Persistence of sparkprop's Spark ML models. A model path holds Spark's own
 * {@code metadata/} (class, uid, Params; {@code DefaultParamsWriter}) and, beside it, a complete
 * sparkprop model directory ({@code metadata.json}, {@code model.safetensors},
 * {@code history.csv}): the same path loads with {@code Model.load}, in a {@code PipelineModel},
 * with {@code sparkprop predict --model}, and with a numpy or PyTorch reader.
 */
final class ModelIO {
  private ModelIO() {}

  static MLWriter writer(Params model, TrainedModel trained) {
    return new MLWriter() {
      @Override
      public void saveImpl(String path) {
        DefaultParamsWriter$.MODULE$.saveMetadata(model, path, sparkSession());
        Map<String, byte[]> files = new LinkedHashMap<>();
        if (!trained.history().isEmpty()) {
          files.put(TrainedModel.HISTORY_FILE,
              trained.historyCsv().getBytes(StandardCharsets.UTF_8));
        }
        try {
          ModelStore.writeInto(sc().hadoopConfiguration(), path, trained.model(), files);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot write the model to '" + path + "'", e);
        }
      }
    };
  }

  /**
   * A reader that loads the sparkprop model at a path, makes the Spark ML model with
   * {@code make(uid, trained)} and sets the saved Params on it.
   */
  static <M extends Params> MLReader<M> reader(Class<M> type,
      BiFunction<String, TrainedModel, M> make) {
    return new MLReader<M>() {
      @Override
      public M load(String path) {
        DefaultParamsReader.Metadata metadata = DefaultParamsReader.loadMetadata(path,
            sparkSession(), type.getName());
        TrainedModel trained;
        try {
          trained = TrainedModel.load(sc().hadoopConfiguration(), path);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read the model at '" + path + "'", e);
        }
        M model = make.apply(metadata.uid(), trained);
        metadata.getAndSetParams(model, Option.empty());
        return model;
      }
    };
  }
}
