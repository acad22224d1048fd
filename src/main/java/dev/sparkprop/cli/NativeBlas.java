package dev.sparkprop.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Whether netlib's JNI BLAS can find a native library here. Without one, netlib's native
 * loader prints {@code netlib-blas: JNI_OnLoad: dlopen(libblas.so.3) failed ...} on stderr from
 * C code (no Java logger can silence it) before falling back to its pure-Java BLAS. The command
 * line looks for the library first, as the dynamic loader would, and when there is none tells
 * netlib not to try ({@code dev.ludovic.netlib.blas.allowNative=false}): the same Java BLAS,
 * without the noise. The start-up line still names the BLAS in use.
 */
final class NativeBlas {
  private NativeBlas() {}

  static final String ALLOW_NATIVE = "dev.ludovic.netlib.blas.allowNative";
  static final String NATIVE_LIB = "dev.ludovic.netlib.blas.nativeLib";
  static final String NATIVE_LIB_PATH = "dev.ludovic.netlib.blas.nativeLibPath";
  /** The library netlib's JNI loader opens unless told otherwise. */
  static final String DEFAULT_LIB = "libblas.so.3";

  /**
   * Sets {@link #ALLOW_NATIVE} to false when no native BLAS library is found on Linux, unless
   * the user chose netlib's settings already. Call before anything touches BLAS.
   */
  static void skipNativeIfAbsent() {
    if (System.getProperty(ALLOW_NATIVE) != null || System.getProperty(NATIVE_LIB_PATH) != null
        || !System.getProperty("os.name", "").startsWith("Linux")) {
      return;
    }
    String name = System.getProperty(NATIVE_LIB, DEFAULT_LIB);
    if (find(name, searchPath()).isEmpty()) {
      System.setProperty(ALLOW_NATIVE, "false");
    }
  }

  /** {@code name} in the first directory of {@code dirs} that holds it as an ELF file. */
  static Optional<Path> find(String name, List<Path> dirs) {
    return dirs.stream().map(d -> d.resolve(name)).filter(NativeBlas::isElf).findFirst();
  }

  /**
   * Where the dynamic loader looks, in its order: {@code LD_LIBRARY_PATH}, the directories of
   * {@code /etc/ld.so.conf} (and the files it includes), then the default directories.
   */
  static List<Path> searchPath() {
    Set<Path> dirs = new LinkedHashSet<>();
    String ld = System.getenv("LD_LIBRARY_PATH");
    if (ld != null) {
      for (String d : ld.split(":")) {
        if (!d.isBlank()) {
          dirs.add(Path.of(d));
        }
      }
    }
    readConf(Path.of("/etc/ld.so.conf"), dirs, 0);
    String arch = switch (System.getProperty("os.arch", "")) {
      case "amd64", "x86_64" -> "x86_64";
      case "aarch64" -> "aarch64";
      default -> System.getProperty("os.arch", "");
    };
    for (String d : List.of("/lib/" + arch + "-linux-gnu", "/usr/lib/" + arch + "-linux-gnu",
        "/lib64", "/usr/lib64", "/lib", "/usr/lib")) {
      dirs.add(Path.of(d));
    }
    return List.copyOf(dirs);
  }

  private static void readConf(Path file, Set<Path> dirs, int depth) {
    if (depth > 3 || !Files.isRegularFile(file)) {
      return;
    }
    try {
      for (String raw : Files.readAllLines(file)) {
        String line = raw.replaceAll("#.*", "").trim();
        if (line.startsWith("include ")) {
          String pattern = line.substring("include ".length()).trim();
          Path parent = Path.of(pattern).getParent();
          String glob = Path.of(pattern).getFileName().toString();
          if (parent != null && Files.isDirectory(parent)) {
            try (Stream<Path> files = Files.list(parent)) {
              for (Path f : files.sorted().toList()) {
                if (parent.getFileSystem().getPathMatcher("glob:" + glob)
                    .matches(f.getFileName())) {
                  readConf(f, dirs, depth + 1);
                }
              }
            }
          }
        } else if (line.startsWith("/")) {
          dirs.add(Path.of(line));
        }
      }
    } catch (IOException | RuntimeException e) {
      // An unreadable loader configuration: the default directories still count.
    }
  }

  /** A regular file (after symbolic links) that starts with the ELF magic number. */
  static boolean isElf(Path file) {
    if (!Files.isRegularFile(file)) {
      return false; // missing, or a device such as /dev/null bound over the library
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] magic = in.readNBytes(4);
      return magic.length == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L'
          && magic[3] == 'F';
    } catch (IOException e) {
      return false;
    }
  }
}
