package dev.sparkprop.io;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** sparkprop's own version, from a resource Maven fills in at build time. */
public final class Version {
  private Version() {}

  /** The version of the sparkprop jar on the class path ("unknown" outside a build). */
  public static final String SPARKPROP = load();

  private static String load() {
    try (InputStream in = Version.class.getResourceAsStream("/dev/sparkprop/version.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
