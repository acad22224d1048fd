package dev.sparkprop.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.sparkprop.io.Model;
import dev.sparkprop.io.ModelStore;
import dev.sparkprop.nn.LayerSpec;
import dev.sparkprop.nn.NetworkSpec;
import java.io.IOException;
import java.io.PrintStream;

/** {@code sparkprop inspect}: architecture, parameter count and metadata of a model. */
final class InspectCommand {
  private InspectCommand() {}

  static void run(Args args, PrintStream out) throws IOException {
    args.allow("model");
    String dir = args.require("model", "DIR");
    Model model = ModelStore.load(SparkSessions.hadoopConfiguration(), dir);
    NetworkSpec spec = model.spec();
    out.println("model      " + dir);
    out.println("task       " + model.task());
    out.println("loss       " + spec.loss().id());
    out.println(Main.fmt("parameters %,d", spec.numParams()));
    out.println("scaling    " + (model.scaling().scalesFeatures() ? "features" : "no features")
        + ", " + (model.scaling().scalesLabels() ? "label" : "no label"));
    out.println();
    out.println(Main.fmt("%-6s %8s %8s  %-11s %10s", "layer", "inputs", "outputs", "activation",
        "params"));
    for (int l = 0; l < spec.numLayers(); l++) {
      LayerSpec layer = spec.layer(l);
      out.println(Main.fmt("%-6d %8d %8d  %-11s %,10d", l, layer.inputs(), layer.outputs(),
          layer.activation().id(), layer.numParams()));
    }
    out.println();
    out.println("metadata");
    out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
        .writeValueAsString(model.metadata()));
  }
}
