package dev.sparkprop.cli;

import dev.sparkprop.io.InputMapping;
import dev.sparkprop.io.InputMapping.FeatureKind;
import dev.sparkprop.io.InputMapping.LabelKind;
import dev.sparkprop.io.Model;
import dev.sparkprop.io.ModelFormatException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Reads the input mapping (feature columns, label, classes) back from a model's metadata. */
final class ModelData {
  private ModelData() {}

  @SuppressWarnings("unchecked")
  static InputMapping mapping(Model model, String dir) {
    try {
      Map<String, Object> md = model.metadata();
      Map<String, Object> features = (Map<String, Object>) md.get("features");
      Map<String, Object> label = (Map<String, Object>) md.get("label");
      List<String> columns = (List<String>) features.get("columns");
      FeatureKind fk = FeatureKind.valueOf(((String) features.get("kind")).toUpperCase(Locale.ROOT));
      LabelKind lk = LabelKind.valueOf(((String) label.get("kind")).toUpperCase(Locale.ROOT));
      List<String> classes = (List<String>) md.get("classes");
      return new InputMapping(columns, fk, (String) label.get("column"), lk, classes);
    } catch (RuntimeException e) {
      throw new ModelFormatException("model '" + dir + "': metadata.json does not describe the "
          + "input columns (features/label); was it written by 'sparkprop train'?");
    }
  }

  static boolean isClassification(Model model) {
    return "classification".equals(model.task());
  }
}
