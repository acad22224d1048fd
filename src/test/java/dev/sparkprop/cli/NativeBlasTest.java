package dev.sparkprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding a native BLAS library the way the dynamic loader would, before netlib tries. */
class NativeBlasTest {
  @TempDir
  Path tmp;

  private Path elf(Path dir, String name) throws IOException {
    Files.createDirectories(dir);
    return Files.write(dir.resolve(name), new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
  }

  @Test
  void find_firstDirectoryWithAnElfFile() throws IOException {
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    Files.createDirectories(a);
    Files.writeString(a.resolve("libblas.so.3"), "not a library"); // skipped: no ELF magic
    Path lib = elf(b, "libblas.so.3");
    elf(tmp.resolve("c"), "libblas.so.3");
    assertEquals(Optional.of(lib), NativeBlas.find("libblas.so.3",
        List.of(tmp.resolve("missing"), a, b, tmp.resolve("c"))));
  }

  @Test
  void find_symbolicLinkToElf_found() throws IOException {
    Path lib = elf(tmp.resolve("real"), "libopenblas.so.0");
    Path dir = Files.createDirectories(tmp.resolve("links"));
    Files.createSymbolicLink(dir.resolve("libblas.so.3"), lib);
    assertTrue(NativeBlas.find("libblas.so.3", List.of(dir)).isPresent());
  }

  @Test
  void find_linkToDevNull_notFound() throws IOException {
    // What a private mount of /dev/null over the library looks like to a reader.
    Path dir = Files.createDirectories(tmp.resolve("hidden"));
    Files.createSymbolicLink(dir.resolve("libblas.so.3"), Path.of("/dev/null"));
    assertFalse(NativeBlas.isElf(dir.resolve("libblas.so.3")));
    assertEquals(Optional.empty(), NativeBlas.find("libblas.so.3", List.of(dir)));
  }

  @Test
  void searchPath_holdsTheDefaultDirectories() {
    List<Path> dirs = NativeBlas.searchPath();
    assertTrue(dirs.contains(Path.of("/usr/lib")), dirs.toString());
    assertTrue(dirs.contains(Path.of("/lib")), dirs.toString());
  }
}
