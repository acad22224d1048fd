package dev.sparkprop.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The benchmark's measurements: one table on stdout, the same rows as CSV and JSON. */
final class Results {
  /** Median, extremes and count of repeated samples. */
  record Stats(double median, double min, double max, int n) {
    static Stats of(List<Double> samples) {
      if (samples.isEmpty()) {
        throw new IllegalStateException("no samples measured");
      }
      double[] s = samples.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      int n = s.length;
      double median = n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
      return new Stats(median, s[0], s[n - 1], n);
    }

    static Stats one(double v) {
      return new Stats(v, v, v, 1);
    }

    /** Half the min-max range as a percentage of the median. */
    double spreadPercent() {
      return median == 0 ? 0 : 50.0 * (max - min) / Math.abs(median);
    }
  }

  /**
   * One line of the table. {@code value} is in {@code unit}; {@code rowsPerSecond} and
   * {@code ratio} (with what it compares to in {@code ratioTo}) are NaN/empty where meaningless.
   */
  record Row(String section, String name, String unit, Stats value, double rowsPerSecond,
      double ratio, String ratioTo, String note) {}

  private final List<Row> rows = new ArrayList<>();
  private final Map<String, String> info = new LinkedHashMap<>();
  private final List<String[]> targets = new ArrayList<>();

  Row add(String section, String name, String unit, Stats value, double rowsPerSecond,
      double ratio, String ratioTo, String note) {
    Row r = new Row(section, name, unit, value, rowsPerSecond, ratio, ratioTo, note);
    rows.add(r);
    return r;
  }

  void info(String key, Object value) {
    info.put(key, String.valueOf(value));
  }

  /** A target of issue 6 with the measured value and whether it is met. */
  void target(String what, String goal, double measured, boolean met) {
    targets.add(new String[] {what, goal, fmt(measured), met ? "met" : "MISSED"});
  }

  List<Row> rows() {
    return rows;
  }

  void print(PrintStream out) {
    out.println();
    info.forEach((k, v) -> out.printf("%-14s %s%n", k + ":", v));
    String[] head = {"section", "case", "median", "unit", "spread (min-max)", "n", "rows/s",
        "ratio", "note"};
    List<String[]> cells = new ArrayList<>();
    cells.add(head);
    for (Row r : rows) {
      cells.add(new String[] {r.section(), r.name(), fmt(r.value().median()), r.unit(),
          r.value().n() > 1 ? fmt(r.value().min()) + "-" + fmt(r.value().max()) + " (±"
              + String.format(Locale.ROOT, "%.0f", r.value().spreadPercent()) + "%)" : "",
          String.valueOf(r.value().n()), Double.isNaN(r.rowsPerSecond()) ? ""
              : String.format(Locale.ROOT, "%,.0f", r.rowsPerSecond()),
          Double.isNaN(r.ratio()) ? "" : String.format(Locale.ROOT, "%.2fx %s", r.ratio(),
              r.ratioTo()), r.note()});
    }
    int[] w = new int[head.length];
    for (String[] c : cells) {
      for (int i = 0; i < c.length; i++) {
        w[i] = Math.max(w[i], c[i].length());
      }
    }
    for (int k = 0; k < cells.size(); k++) {
      String[] c = cells.get(k);
      StringBuilder line = new StringBuilder("| ");
      for (int i = 0; i < c.length; i++) {
        boolean numeric = i == 2 || i == 5 || i == 6;
        line.append(numeric ? pad(c[i], w[i], true) : pad(c[i], w[i], false)).append(" | ");
      }
      out.println(line.toString().stripTrailing());
      if (k == 0) {
        StringBuilder sep = new StringBuilder("|");
        for (int i = 0; i < w.length; i++) {
          boolean numeric = i == 2 || i == 5 || i == 6;
          sep.append(numeric ? "-".repeat(w[i] + 1) + ":|" : "-".repeat(w[i] + 2) + "|");
        }
        out.println(sep);
      }
    }
    if (!targets.isEmpty()) {
      out.println();
      out.println("Targets of issue 6:");
      for (String[] t : targets) {
        out.printf("  %-7s %-62s %-10s measured %s%n", t[3], t[0], t[1], t[2]);
      }
    }
  }

  void writeCsv(Path file) throws IOException {
    StringBuilder sb = new StringBuilder(
        "section,case,unit,median,min,max,n,rows_per_s,ratio,ratio_to,note\n");
    for (Row r : rows) {
      sb.append(csv(r.section())).append(',').append(csv(r.name())).append(',')
          .append(csv(r.unit())).append(',').append(num(r.value().median())).append(',')
          .append(num(r.value().min())).append(',').append(num(r.value().max())).append(',')
          .append(r.value().n()).append(',').append(num(r.rowsPerSecond())).append(',')
          .append(num(r.ratio())).append(',').append(csv(r.ratioTo())).append(',')
          .append(csv(r.note())).append('\n');
    }
    Files.writeString(file, sb, StandardCharsets.UTF_8);
  }

  void writeJson(Path file) throws IOException {
    StringBuilder sb = new StringBuilder("{\n  \"info\": {");
    int i = 0;
    for (Map.Entry<String, String> e : info.entrySet()) {
      sb.append(i++ == 0 ? "\n" : ",\n").append("    ").append(json(e.getKey())).append(": ")
          .append(json(e.getValue()));
    }
    sb.append("\n  },\n  \"rows\": [");
    i = 0;
    for (Row r : rows) {
      sb.append(i++ == 0 ? "\n" : ",\n").append("    {\"section\": ").append(json(r.section()))
          .append(", \"case\": ").append(json(r.name()))
          .append(", \"unit\": ").append(json(r.unit()))
          .append(", \"median\": ").append(jnum(r.value().median()))
          .append(", \"min\": ").append(jnum(r.value().min()))
          .append(", \"max\": ").append(jnum(r.value().max()))
          .append(", \"n\": ").append(r.value().n())
          .append(", \"rows_per_s\": ").append(jnum(r.rowsPerSecond()))
          .append(", \"ratio\": ").append(jnum(r.ratio()))
          .append(", \"ratio_to\": ").append(json(r.ratioTo()))
          .append(", \"note\": ").append(json(r.note())).append('}');
    }
    sb.append("\n  ],\n  \"targets\": [");
    i = 0;
    for (String[] t : targets) {
      sb.append(i++ == 0 ? "\n" : ",\n").append("    {\"target\": ").append(json(t[0]))
          .append(", \"goal\": ").append(json(t[1])).append(", \"measured\": ")
          .append(json(t[2])).append(", \"status\": ").append(json(t[3])).append('}');
    }
    sb.append("\n  ]\n}\n");
    Files.writeString(file, sb, StandardCharsets.UTF_8);
  }

  /** Three significant digits, without exponent for the usual ranges. */
  static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    double a = Math.abs(v);
    if (a >= 1000) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    if (a >= 100) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    if (a >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    if (a >= 1) {
      return String.format(Locale.ROOT, "%.2f", v);
    }
    if (a >= 0.001 || a == 0) {
      return String.format(Locale.ROOT, "%.4f", v);
    }
    return String.format(Locale.ROOT, "%.3g", v);
  }

  private static String pad(String s, int w, boolean right) {
    String fill = " ".repeat(Math.max(0, w - s.length()));
    return right ? fill + s : s + fill;
  }

  private static String csv(String s) {
    if (s == null) {
      return "";
    }
    return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }

  private static String num(double v) {
    return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6g", v);
  }

  private static String jnum(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : "null";
  }

  private static String json(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  static List<Double> list(double... v) {
    return Arrays.stream(v).boxed().toList();
  }
}
