package dev.sparkprop.io;

import java.io.IOException;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes a directory output (Parquet predictions, say) on any Hadoop-compatible file system so
 * that it appears whole or not at all: everything goes to a hidden temporary sibling
 * ({@link HiddenSiblings}) that is renamed into place only when complete. A failed or killed
 * write leaves the previous output (if any) untouched and no directory that looks complete; a
 * successful one also deletes the hidden siblings that killed runs left behind.
 *
 * <p>The rename is atomic on a local file system and on HDFS. On object stores ({@code s3a://})
 * a directory rename is a copy of every object, so a run killed during it can leave a partial
 * output.
 */
public final class AtomicOutput {
  private AtomicOutput() {}

  /**
   * Throws unless {@code path} is free or {@code overwrite} is set. An output whose replacement
   * a killed run interrupted is first put back ({@link HiddenSiblings#restoreInterrupted}), so
   * it counts as existing.
   */
  public static void checkWritable(Configuration conf, String path, boolean overwrite) {
    try {
      Path p = new Path(path);
      FileSystem fs = p.getFileSystem(conf);
      HiddenSiblings.restoreInterrupted(fs, fs.makeQualified(p));
      if (fs.exists(p) && !overwrite) {
        throw new OutputExistsException(path);
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("output '" + path + "' cannot be accessed: "
          + InputReader.firstLine(e), e);
    }
  }

  /**
   * Whether something exists at {@code path}, after putting back an output whose replacement a
   * killed run interrupted; false if it cannot be checked (the write will say why).
   */
  public static boolean exists(Configuration conf, String path) {
    try {
      Path p = new Path(path);
      FileSystem fs = p.getFileSystem(conf);
      HiddenSiblings.restoreInterrupted(fs, fs.makeQualified(p));
      return fs.exists(p);
    } catch (IOException | IllegalArgumentException e) {
      return false;
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
      tmp = HiddenSiblings.temporary(parent, target.getName());
    } catch (IOException e) {
      throw new IllegalArgumentException("output '" + path + "' cannot be written: "
          + InputReader.firstLine(e), e);
    }
    boolean moved = false;
    try {
      writer.accept(tmp.toString());
      moveIntoPlace(fs, tmp, target, overwrite, path);
      moved = true;
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
    HiddenSiblings.deleteStale(fs, tmp.getParent(), target.getName()::equals);
  }

  /**
   * Renames the finished {@code tmp} to {@code target}. An existing target is first moved aside
   * (only with {@code overwrite}; it is moved back if the rename fails) and deleted after. A
   * target that someone else created meanwhile is left as it is: Hadoop's rename would move
   * {@code tmp} inside it, so that is undone and reported as "already exists".
   *
   * @param shown the output as the user gave it, for messages
   * @throws OutputExistsException if the target exists and may not be replaced
   */
  static void moveIntoPlace(FileSystem fs, Path tmp, Path target, boolean overwrite,
      String shown) throws IOException {
    Path old = null;
    if (fs.exists(target)) {
      if (!overwrite) {
        throw new OutputExistsException(shown);
      }
      old = HiddenSiblings.aside(tmp.getParent(), target.getName());
      if (!fs.rename(target, old)) {
        throw new IOException("cannot move the existing output aside");
      }
    }
    boolean renamed = false;
    IOException failure = null;
    try {
      renamed = fs.rename(tmp, target);
    } catch (IOException e) {
      failure = e;
    }
    Path nested = new Path(target, tmp.getName());
    boolean inside = renamed && fs.exists(nested);
    if (inside) {
      // The target appeared after the check: tmp went inside it. Take it out again.
      fs.rename(nested, tmp);
    }
    if (!renamed || inside) {
      if (old != null && !fs.exists(target)) {
        fs.rename(old, target);
      }
      if (inside || fs.exists(target) && old == null) {
        throw new OutputExistsException(shown);
      }
      throw failure != null ? failure
          : new IOException("cannot move the finished output into place");
    }
    if (old != null) {
      fs.delete(old, true);
    }
  }
}
