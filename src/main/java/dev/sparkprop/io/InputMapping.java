package dev.sparkprop.io;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_position;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * How input columns become a network's numbers: which columns are the features and of what
 * kind, and what the label is. The same mapping is stored in the model (as metadata) so that
 * prediction reads new data exactly as training did.
 *
 * <p>{@link #canonical} adds two columns: {@link #FEATURES} (an ml Vector or an array of
 * doubles, possibly with nulls, which the stacking code checks) and, when there is a label,
 * {@link #LABEL} (a double: the value or class index; or a Vector/array for multi-output).
 */
public record InputMapping(List<String> featureColumns, FeatureKind featureKind,
    String labelColumn, LabelKind labelKind, List<String> classNames, List<String> labelColumns)
    implements Serializable {

  /** Name of the canonical features column added by {@link #canonical}. */
  public static final String FEATURES = "__sparkprop_features";
  /** Name of the canonical label column added by {@link #canonical}. */
  public static final String LABEL = "__sparkprop_label";
  /**
   * With task=auto, a numeric label whose values are all whole numbers >= 0 (of any numeric
   * type: a double 0/1 label counts) is a class index when it has 2 to this many distinct
   * values.
   */
  public static final int MAX_AUTO_CLASSES = 100;

  /** Where the features come from. */
  public enum FeatureKind { VECTOR, ARRAY, NUMERIC_COLUMNS }

  /** What the label is. */
  public enum LabelKind {
    /** Classification with integer classes 0..K-1. */
    CLASS_INDEX,
    /** Classification with string classes, indexed in sorted order. */
    CLASS_NAME,
    /** Regression, one output. */
    VALUE,
    /** Regression, several outputs (an array or Vector column, or several numeric columns). */
    VALUES
  }

  /**
   * @param labelColumn the label column; for several label columns the first of them; null
   *     for data without a label
   * @param labelColumns every label column: {@code [labelColumn]}, several numeric columns of a
   *     multi-output regression label ({@link LabelKind#VALUES}, outputs in this order), or
   *     empty without a label; null is read as {@code [labelColumn]}
   */
  public InputMapping {
    featureColumns = List.copyOf(featureColumns);
    Objects.requireNonNull(featureKind, "featureKind");
    classNames = classNames == null ? null : List.copyOf(classNames);
    labelColumns = labelColumns != null ? List.copyOf(labelColumns)
        : labelColumn == null ? List.of() : List.of(labelColumn);
    if (!labelColumns.isEmpty() && !labelColumns.get(0).equals(labelColumn)) {
      throw new IllegalArgumentException("labelColumn " + labelColumn
          + " is not the first of labelColumns " + labelColumns);
    }
    if (labelColumns.size() > 1 && labelKind != LabelKind.VALUES) {
      throw new IllegalArgumentException("several label columns " + labelColumns
          + " make a multi-output regression label (VALUES), not " + labelKind);
    }
  }

  /** A mapping with at most one label column. */
  public InputMapping(List<String> featureColumns, FeatureKind featureKind, String labelColumn,
      LabelKind labelKind, List<String> classNames) {
    this(featureColumns, featureKind, labelColumn, labelKind, classNames, null);
  }

  /** Whether the label is several numeric columns (multi-output regression). */
  public boolean labelFromColumns() {
    return labelColumns.size() > 1;
  }

  public boolean isClassification() {
    return labelKind == LabelKind.CLASS_INDEX || labelKind == LabelKind.CLASS_NAME;
  }

  /**
   * Works out the mapping for training data.
   *
   * @param features {@code ["*"]} for every column but the label, one column name (a Vector or
   *     array column, or a single numeric column), or several numeric column names
   * @param task {@code auto}, {@code classification} or {@code regression}
   */
  public static InputMapping forTraining(Dataset<Row> raw, List<String> features, String label,
      String task) {
    return forTraining(raw, features, List.of(label), task);
  }

  /**
   * Works out the mapping for training data whose label is one column ({@code labels} of size
   * 1, as {@link #forTraining(Dataset, List, String, String)}) or several numeric columns: a
   * multi-output regression label with one output per column, in this order.
   */
  public static InputMapping forTraining(Dataset<Row> raw, List<String> features,
      List<String> labels, String task) {
    if (labels.isEmpty()) {
      throw new InputException("no label column given");
    }
    if (labels.size() > 1) {
      return forTrainingColumns(raw, features, labels, task);
    }
    String label = labels.get(0);
    StructType schema = raw.schema();
    StructField labelField = field(schema, label, "label");
    LabelKind labelKind = labelKind(raw, labelField, task);
    List<String> classNames = null;
    if (labelKind == LabelKind.CLASS_NAME) {
      List<Row> distinct = raw.select(col(label)).distinct().collectAsList();
      List<String> names = new ArrayList<>();
      for (Row r : distinct) {
        if (r.isNullAt(0)) {
          throw new InputException("label column '" + label + "' has null values; "
              + "remove those rows or fill them in");
        }
        names.add(r.getString(0));
      }
      names.sort(null);
      if (names.size() < 2) {
        throw new InputException("label column '" + label + "' has " + names.size()
            + " distinct class(es); classification needs at least 2");
      }
      classNames = names;
    }
    List<String> cols;
    if (features.size() == 1 && features.get(0).equals("*")) {
      cols = Arrays.stream(schema.fieldNames()).filter(n -> !n.equals(label)).toList();
      if (cols.isEmpty()) {
        throw new InputException("the input has no columns besides the label '" + label
            + "'");
      }
      if (cols.size() > 1) {
        for (String c : cols) {
          DataType t = schema.apply(c).dataType();
          if (!(t instanceof NumericType)) {
            throw new InputException("column '" + c + "' has type " + t.simpleString()
                + ", but features=\"*\" needs every column other than the label to be numeric; "
                + "list the feature columns with features=[...]");
          }
        }
      }
    } else {
      cols = features;
      if (cols.contains(label)) {
        throw new InputException("the label column '" + label
            + "' is also listed as a feature");
      }
    }
    FeatureKind kind = featureKind(schema, cols);
    return new InputMapping(cols, kind, label, labelKind, classNames);
  }

  private static InputMapping forTrainingColumns(Dataset<Row> raw, List<String> features,
      List<String> labels, String task) {
    if (task.toLowerCase(Locale.ROOT).equals("classification")) {
      throw new InputException("label " + labels + " has several columns, a multi-output "
          + "regression label; classification needs one label column");
    }
    if (new java.util.HashSet<>(labels).size() != labels.size()) {
      throw new InputException("label " + labels + " names a column twice");
    }
    StructType schema = raw.schema();
    for (String l : labels) {
      DataType t = field(schema, l, "label").dataType();
      if (!(t instanceof NumericType)) {
        throw new InputException("label column '" + l + "' has type " + t.simpleString()
            + "; a label of several columns needs numeric columns");
      }
    }
    List<String> cols;
    if (features.size() == 1 && features.get(0).equals("*")) {
      cols = Arrays.stream(schema.fieldNames()).filter(n -> !labels.contains(n)).toList();
      if (cols.isEmpty()) {
        throw new InputException("the input has no columns besides the label " + labels);
      }
      if (cols.size() > 1) {
        for (String c : cols) {
          DataType t = schema.apply(c).dataType();
          if (!(t instanceof NumericType)) {
            throw new InputException("column '" + c + "' has type " + t.simpleString()
                + ", but features=\"*\" needs every column other than the label to be "
                + "numeric; list the feature columns with features=[...]");
          }
        }
      }
    } else {
      cols = features;
      for (String l : labels) {
        if (cols.contains(l)) {
          throw new InputException("the label column '" + l + "' is also listed as a feature");
        }
      }
    }
    return new InputMapping(cols, featureKind(schema, cols), labels.get(0), LabelKind.VALUES,
        null, labels);
  }

  /** This mapping without its label, for data to predict. */
  public InputMapping withoutLabel() {
    return new InputMapping(featureColumns, featureKind, null, labelKind, classNames, List.of());
  }

  /** Checks that {@code raw} has this mapping's columns with compatible types. */
  public void checkSchema(Dataset<Row> raw, boolean needLabel) {
    StructType schema = raw.schema();
    FeatureKind kind = featureKind(schema, featureColumns);
    if (kind != featureKind) {
      throw new InputException("the model's features are " + describe(featureKind)
          + " but the input's column(s) " + featureColumns + " are " + describe(kind));
    }
    if (needLabel) {
      if (labelColumn == null) {
        throw new InputException("this mapping has no label column");
      }
      if (labelFromColumns()) {
        for (String l : labelColumns) {
          DataType t = field(schema, l, "label").dataType();
          if (!(t instanceof NumericType)) {
            throw new InputException("label column '" + l + "' has type " + t.simpleString()
                + ", but the model was trained on numeric label columns " + labelColumns);
          }
        }
        return;
      }
      StructField f = field(schema, labelColumn, "label");
      DataType t = f.dataType();
      boolean ok = switch (labelKind) {
        case CLASS_NAME -> t instanceof StringType;
        case CLASS_INDEX, VALUE -> t instanceof NumericType;
        case VALUES -> isVector(t) || isNumericArray(t);
      };
      if (!ok) {
        throw new InputException("label column '" + labelColumn + "' has type "
            + t.simpleString() + ", but the model was trained on " + describe(labelKind)
            + " labels");
      }
    }
  }

  /** {@code raw} with the canonical {@link #FEATURES} (and {@link #LABEL}) columns appended. */
  public Dataset<Row> canonical(Dataset<Row> raw, boolean withLabel) {
    Column features = switch (featureKind) {
      case VECTOR -> col(quote(featureColumns.get(0)));
      case ARRAY -> col(quote(featureColumns.get(0))).cast("array<double>");
      case NUMERIC_COLUMNS -> array(featureColumns.stream()
          .map(c -> col(quote(c)).cast(DataTypes.DoubleType)).toArray(Column[]::new));
    };
    Dataset<Row> out = raw.withColumn(FEATURES, features);
    if (withLabel) {
      Column y = col(quote(labelColumn));
      Column label = switch (labelKind) {
        case CLASS_NAME -> array_position(
            array(classNames.stream().map(n -> lit(n)).toArray(Column[]::new)), y)
            .minus(1).cast(DataTypes.DoubleType);
        case CLASS_INDEX, VALUE -> y.cast(DataTypes.DoubleType);
        case VALUES -> labelFromColumns()
            ? array(labelColumns.stream().map(c -> col(quote(c)).cast(DataTypes.DoubleType))
                .toArray(Column[]::new))
            : isVector(raw.schema().apply(labelColumn).dataType()) ? y
            : y.cast("array<double>");
      };
      out = out.withColumn(LABEL, label);
    }
    return out;
  }

  private static LabelKind labelKind(Dataset<Row> raw, StructField f, String task) {
    DataType t = f.dataType();
    String name = f.name();
    String tk = task.toLowerCase(Locale.ROOT);
    boolean vectorish = isVector(t) || isNumericArray(t);
    if (t instanceof StringType) {
      if (tk.equals("regression")) {
        throw new InputException("label column '" + name + "' holds strings; "
            + "regression needs a numeric label (or set task=classification)");
      }
      return LabelKind.CLASS_NAME;
    }
    if (vectorish) {
      if (tk.equals("classification")) {
        throw new InputException("label column '" + name + "' is " + t.simpleString()
            + "; classification needs one class per row (an integer or string column)");
      }
      return LabelKind.VALUES;
    }
    if (!(t instanceof NumericType)) {
      throw new InputException("label column '" + name + "' has type "
          + t.simpleString() + "; expected a number, a string, or an array/Vector of numbers");
    }
    switch (tk) {
      case "classification": return LabelKind.CLASS_INDEX;
      case "regression": return LabelKind.VALUE;
      default:
        return classIndexValues(raw, name) ? LabelKind.CLASS_INDEX : LabelKind.VALUE;
    }
  }

  /**
   * Whether the numeric column {@code name} looks like class indices (task=auto): 2 to
   * {@link #MAX_AUTO_CLASSES} distinct non-null values, each a whole number >= 0, whatever the
   * column's numeric type (a constant label is a regression target). One small job: the distinct values, at most one more than allowed.
   */
  private static boolean classIndexValues(Dataset<Row> raw, String name) {
    List<Row> distinct = raw.select(col(quote(name)).cast(DataTypes.DoubleType))
        .na().drop().distinct().limit(MAX_AUTO_CLASSES + 1).collectAsList();
    if (distinct.size() < 2 || distinct.size() > MAX_AUTO_CLASSES) {
      return false;
    }
    for (Row r : distinct) {
      double v = r.getDouble(0);
      if (!(v >= 0 && v == Math.rint(v))) {
        return false;
      }
    }
    return true;
  }

  private static FeatureKind featureKind(StructType schema, List<String> cols) {
    if (cols.isEmpty()) {
      throw new InputException("no feature columns given");
    }
    for (String c : cols) {
      field(schema, c, "feature");
    }
    if (cols.size() == 1) {
      DataType t = schema.apply(cols.get(0)).dataType();
      if (isVector(t)) {
        return FeatureKind.VECTOR;
      }
      if (isNumericArray(t)) {
        return FeatureKind.ARRAY;
      }
    }
    for (String c : cols) {
      DataType t = schema.apply(c).dataType();
      if (!(t instanceof NumericType)) {
        throw new InputException("feature column '" + c + "' has type "
            + t.simpleString() + "; expected a number"
            + (cols.size() == 1 ? ", an array of numbers or an ml Vector" : ""));
      }
    }
    return FeatureKind.NUMERIC_COLUMNS;
  }

  private static StructField field(StructType schema, String name, String role) {
    if (name == null || name.isEmpty()) {
      throw new InputException("no " + role + " column given");
    }
    for (StructField f : schema.fields()) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    String available = Arrays.stream(schema.fieldNames()).limit(20)
        .collect(Collectors.joining(", "));
    throw new InputException(role + " column '" + name + "' does not exist; the input "
        + "has columns: " + available + (schema.fields().length > 20 ? ", ..." : ""));
  }

  static boolean isVector(DataType t) {
    return t.equals(SQLDataTypes.VectorType());
  }

  static boolean isNumericArray(DataType t) {
    return t instanceof ArrayType a && a.elementType() instanceof NumericType;
  }

  private static String quote(String name) {
    return "`" + name.replace("`", "``") + "`";
  }

  private static String describe(FeatureKind k) {
    return switch (k) {
      case VECTOR -> "an ml Vector column";
      case ARRAY -> "an array column";
      case NUMERIC_COLUMNS -> "numeric columns";
    };
  }

  private static String describe(LabelKind k) {
    return switch (k) {
      case CLASS_INDEX -> "integer class";
      case CLASS_NAME -> "string class";
      case VALUE -> "numeric";
      case VALUES -> "array/Vector";
    };
  }
}
