package dev.sparkprop.cli;

import dev.sparkprop.train.EpochStats;
import java.awt.Color;
import java.io.IOException;
import java.util.List;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The training curves as a PNG, drawn with XChart: training and validation loss per epoch on
 * the left axis (logarithmic when they span more than a decade), the validation accuracy or
 * RMSE on the right, and a vertical line at the epoch whose weights were kept when that is not
 * the last one (early stopping).
 */
final class TrainingPlot {
  static final String FILE = "training.png";

  private TrainingPlot() {}

  static byte[] png(List<EpochStats> history, int keptEpoch, String title) throws IOException {
    // Drawing needs no display: a server or executor host has none.
    System.setProperty("java.awt.headless", "true");
    XYChart chart = new XYChartBuilder().width(900).height(540).title(title)
        .xAxisTitle("epoch").yAxisTitle("loss").build();
    Styler styler = chart.getStyler();
    styler.setLegendPosition(Styler.LegendPosition.InsideNE);
    styler.setChartBackgroundColor(Color.WHITE);
    styler.setAntiAlias(true);
    int n = history.size();
    double[] epochs = new double[n];
    double[] train = new double[n];
    double[] validation = new double[n];
    double[] metric = new double[n];
    for (int i = 0; i < n; i++) {
      EpochStats e = history.get(i);
      epochs[i] = e.epoch();
      train[i] = e.trainLoss();
      validation[i] = e.validationLoss();
      metric[i] = e.validationHeadline();
    }
    boolean withValidation = n > 0 && history.get(0).hasValidation();
    chart.getStyler().setYAxisLogarithmic(spansDecades(train, withValidation ? validation : null));
    line(chart.addSeries("training loss", epochs, train));
    if (withValidation) {
      line(chart.addSeries("validation loss", epochs, validation));
      String name = history.get(0).validationHeadlineName();
      XYSeries m = chart.addSeries("validation " + name, epochs, metric);
      line(m);
      m.setYAxisGroup(1);
      chart.setYAxisGroupTitle(1, name);
      styler.setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
    }
    if (n > 0 && keptEpoch > 0 && keptEpoch < history.get(n - 1).epoch()) {
      chart.addAnnotation(new AnnotationLine(keptEpoch, true, false));
    }
    return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
  }

  private static void line(XYSeries series) {
    series.setMarker(SeriesMarkers.NONE);
  }

  /** Whether the positive values span more than a factor of 10 (a log axis shows them best). */
  private static boolean spansDecades(double[] a, double[] b) {
    double min = Double.POSITIVE_INFINITY;
    double max = 0;
    for (double[] values : b == null ? new double[][] {a} : new double[][] {a, b}) {
      for (double v : values) {
        if (!(v > 0) || !Double.isFinite(v)) {
          return false;
        }
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
    }
    return max > 10 * min;
  }
}
