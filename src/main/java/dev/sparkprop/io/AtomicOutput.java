package dev.sparkprop.io;

import java.io.IOException;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes a directory output (Parquet predictions, say) on any Hadoop-compatible file system so
 * that it appears whole or not at all: everything goes to a hidden temporary sibling that is
 * renamed into place only when complete. A failed or killed write leaves the previous output
 * (if any) untouched and no directory that looks complete.
 */
public final class AtomicOutput {
  private AtomicOutput() {}

  /** Throws unless {@code path} is free or {@code overwrite} is set. */
  public static void checkWritable(Configuration conf, String path, boolean overwrite) {
    try {
      Path p = new Path(path);
      FileSystem fs = p.getFileSystem(conf);
      if (fs.exists(p) && !overwrite) {
        throw new IllegalArgumentException("output '" + path
            + "' already exists; pass --overwrite to replace it");
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("output '" + path + "' cannot be accessed: "
          + InputReader.firstLine(e), e);
    }
  }

  /**
   * Calls {@code writer} with a temporary path beside {@code path}, then moves the result into
   * place (replacing an existing output only when {@code overwrite}).
   */
  public static void write(Configuration conf, String path, boolean overwrite,
      Consumer<String> writer) {
    checkWritable(conf, path, overwrite);
    Path target = new Path(path);
    FileSystem fs;
    Path tmp;
    try {
      fs = target.getFileSystem(conf);
      Path parent = target.getParent() == null ? new Path(".") : target.getParent();
      fs.mkdirs(parent);
      tmp = new Path(parent, "." + target.getName() + ".tmp-" + UUID.randomUUID());
    } catch (IOException e) {
      throw new IllegalArgumentException("output '" + path + "' cannot be written: "
          + InputReader.firstLine(e), e);
    }
    boolean moved = false;
    try {
      writer.accept(tmp.toString());
      Path old = null;
      if (fs.exists(target)) {
        old = new Path(tmp.getParent(), "." + target.getName() + ".old-" + UUID.randomUUID());
        if (!fs.rename(target, old)) {
          throw new IOException("cannot move the existing output aside");
        }
      }
      if (!fs.rename(tmp, target)) {
        if (old != null) {
          fs.rename(old, target);
        }
        throw new IOException("cannot move the finished output into place");
      }
      moved = true;
      if (old != null) {
        fs.delete(old, true);
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("output '" + path + "' cannot be written: "
          + InputReader.firstLine(e), e);
    } finally {
      if (!moved) {
        try {
          fs.delete(tmp, true);
        } catch (IOException ignored) {
          // best effort: the hidden temporary directory is not an output
        }
      }
    }
  }
}
