package dev.sparkprop.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Typed reads of the resolved {@code sparkprop.*} configuration, and the range checks shared by
 * the loader and {@link Settings}' constructor. Keys are relative to {@code sparkprop.}; every
 * message names the full key, the value as written and what is accepted.
 */
final class Values {
  static final String ROOT = "sparkprop";

  /** A decimal number as HOCON writes one; a string of this form counts as a number. */
  private static final Pattern NUMBER =
      Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

  private final Config config;

  /** {@code config} is resolved and holds every key of reference.conf. */
  Values(Config config) {
    this.config = config;
  }

  static String path(String key) {
    return ROOT + "." + key;
  }

  /** The value at {@code key}, a HOCON null included. */
  ConfigValue raw(String key) {
    String p = path(key);
    return config.getIsNull(p) ? ConfigValueFactory.fromAnyRef(null) : config.getValue(p);
  }

  /** A string; a number or boolean counts as its text (HOCON's rule). */
  String string(String key) {
    ConfigValue v = raw(key);
    return switch (v.valueType()) {
      case STRING, NUMBER, BOOLEAN -> config.getString(path(key));
      default -> throw invalid(key, "must be a string", v);
    };
  }

  /** A string, trimmed and in lower case: for the names of choices such as {@code task}. */
  String word(String key) {
    return string(key).trim().toLowerCase(Locale.ROOT);
  }

  boolean bool(String key) {
    try {
      return config.getBoolean(path(key));
    } catch (com.typesafe.config.ConfigException e) {
      throw invalid(key, "must be true or false", raw(key));
    }
  }

  int integer(String key) {
    ConfigValue v = raw(key);
    return (int) whole(key, v, v, "must be an integer",
        "must be an integer between " + Integer.MIN_VALUE + " and " + Integer.MAX_VALUE,
        Integer.MIN_VALUE, Integer.MAX_VALUE);
  }

  long longInteger(String key) {
    ConfigValue v = raw(key);
    return whole(key, v, v, "must be an integer",
        "must be an integer between " + Long.MIN_VALUE + " and " + Long.MAX_VALUE,
        Long.MIN_VALUE, Long.MAX_VALUE);
  }

  double number(String key) {
    ConfigValue v = raw(key);
    BigDecimal d = decimal(v);
    if (d == null) {
      throw invalid(key, "must be a number", v);
    }
    double x = d.doubleValue();
    if (!Double.isFinite(x)) {
      throw invalid(key, "must be a finite number", v);
    }
    return x;
  }

  /** A list of integers (possibly empty); the range is checked by the caller. */
  List<Integer> integers(String key) {
    ConfigValue v = raw(key);
    if (v.valueType() != ConfigValueType.LIST) {
      throw invalid(key, "must be a list of integers", v);
    }
    List<Integer> out = new ArrayList<>();
    for (ConfigValue e : (ConfigList) v) {
      out.add((int) whole(key, e, v, "must be a list of integers",
          "must be a list of integers between " + Integer.MIN_VALUE + " and " + Integer.MAX_VALUE,
          Integer.MIN_VALUE, Integer.MAX_VALUE));
    }
    return out;
  }

  /** One string or a list of strings, as a list. */
  List<String> stringOrList(String key, String requirement) {
    ConfigValue v = raw(key);
    switch (v.valueType()) {
      case STRING, NUMBER, BOOLEAN -> {
        return List.of(string(key));
      }
      case LIST -> {
        List<String> out = new ArrayList<>();
        for (ConfigValue e : (ConfigList) v) {
          if (e.valueType() == ConfigValueType.STRING || e.valueType() == ConfigValueType.NUMBER
              || e.valueType() == ConfigValueType.BOOLEAN) {
            out.add(text(e));
          } else {
            throw invalid(key, requirement, v);
          }
        }
        return out;
      }
      default -> throw invalid(key, requirement, v);
    }
  }

  /** A name parsed by {@code parser}; its IllegalArgumentException becomes {@code requirement}. */
  <T> T parse(String key, String requirement, Function<String, T> parser) {
    String s = string(key);
    try {
      return parser.apply(s.trim());
    } catch (IllegalArgumentException e) {
      throw invalid(key, requirement, raw(key));
    }
  }

  /** Empty for {@code auto}, else a name parsed by {@code parser}. */
  <T> Optional<T> autoOr(String key, String requirement, Function<String, T> parser) {
    if (word(key).equals("auto")) {
      return Optional.empty();
    }
    return Optional.of(parse(key, "must be auto or " + requirement, parser));
  }

  // ---- range checks on typed values, shared with Settings' compact constructor ----

  static int atLeast(String key, int value, int min) {
    if (value < min) {
      throw new ConfigException(path(key) + " must be an integer >= " + min + ", got " + value);
    }
    return value;
  }

  static double positive(String key, double value) {
    if (!(value > 0 && Double.isFinite(value))) {
      throw new ConfigException(path(key) + " must be a number > 0, got " + show(value));
    }
    return value;
  }

  static double nonNegative(String key, double value) {
    if (!(value >= 0 && Double.isFinite(value))) {
      throw new ConfigException(path(key) + " must be a number >= 0, got " + show(value));
    }
    return value;
  }

  /** A factor in (0, 1]. */
  static double factor(String key, double value) {
    if (!(value > 0 && value <= 1)) {
      throw new ConfigException(path(key) + " must be a number > 0 and <= 1, got " + show(value));
    }
    return value;
  }

  /** A fraction in [0, 1): of the rows, or a decay rate such as momentum or Adam's betas. */
  static double fraction(String key, double value) {
    if (!(value >= 0 && value < 1)) {
      throw new ConfigException(
          path(key) + " must be a number >= 0 and < 1, got " + show(value));
    }
    return value;
  }

  static String oneOf(String key, String value, List<String> allowed) {
    if (!allowed.contains(value)) {
      throw new ConfigException(path(key) + " must be one of " + String.join(", ", allowed)
          + ", got " + show(value));
    }
    return value;
  }

  static ConfigException invalid(String key, String requirement, ConfigValue v) {
    return new ConfigException(path(key) + " " + requirement + ", got " + show(v));
  }

  /** A typed value as a message shows it: strings quoted, lists as {@code [a, b]}. */
  static String show(Object value) {
    if (value instanceof String s) {
      return ConfigValueFactory.fromAnyRef(s).render(ConfigRenderOptions.concise());
    }
    if (value instanceof Double d) {
      return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString(d.longValue())
          : d.toString();
    }
    if (value instanceof List<?> list) {
      return list.stream().map(Values::show).collect(Collectors.joining(", ", "[", "]"));
    }
    return String.valueOf(value);
  }

  /** A configuration value as written: strings quoted, numbers in their original text. */
  static String show(ConfigValue v) {
    return switch (v.valueType()) {
      case STRING -> show((String) v.unwrapped());
      case NUMBER, BOOLEAN -> text(v);
      case NULL -> "null";
      case LIST -> ((List<?>) v).stream().map(e -> show((ConfigValue) e))
          .collect(Collectors.joining(", ", "[", "]"));
      case OBJECT -> v.render(ConfigRenderOptions.concise());
    };
  }

  /** The text of a scalar as written (a number keeps its original form, e.g. {@code 1e-3}). */
  private static String text(ConfigValue v) {
    return v.atKey("v").getString("v");
  }

  /**
   * The integer {@code v} holds, else a message naming {@code shown} (the whole value, which is
   * a list when {@code v} is one of its elements).
   */
  private static long whole(String key, ConfigValue v, ConfigValue shown, String requirement,
      String rangeRequirement, long min, long max) {
    BigDecimal d = decimal(v);
    if (d == null || d.signum() != 0 && d.stripTrailingZeros().scale() > 0) {
      throw invalid(key, requirement, shown);
    }
    if (d.compareTo(BigDecimal.valueOf(min)) < 0 || d.compareTo(BigDecimal.valueOf(max)) > 0) {
      throw invalid(key, rangeRequirement, shown);
    }
    return d.longValueExact();
  }

  /** The number a value holds (a number, or a string that reads as one), else null. */
  private static BigDecimal decimal(ConfigValue v) {
    Object x = v.unwrapped();
    try {
      if (x instanceof Integer || x instanceof Long) {
        return BigDecimal.valueOf(((Number) x).longValue());
      }
      if (x instanceof Double d) {
        return Double.isFinite(d) ? new BigDecimal(text(v).trim()) : null;
      }
      if (x instanceof String s && NUMBER.matcher(s.trim()).matches()) {
        return new BigDecimal(s.trim());
      }
    } catch (NumberFormatException | ArithmeticException e) {
      return null;
    }
    return null;
  }
}
