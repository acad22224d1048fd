package dev.sparkprop.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's configuration table against reference.conf, the one home of every default:
 * each row's Default column shows the key's value there (ParamsTest holds the Estimators'
 * Params to the same file, so the three cannot drift apart unnoticed).
 */
class ConfigurationTableTest {
  static final Pattern ROW = Pattern.compile("(?m)^\\| `([a-z0-9.-]+)` \\|[^|]*\\| `([^`]*)`");

  @Test
  void readme_defaultColumn_showsReferenceConfsValue() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    String section = readme.substring(readme.indexOf("## Configuration"));
    Config ref = ConfigFactory.parseString(
        Files.readString(Path.of("src/main/resources/reference.conf"))).getConfig("sparkprop");
    Matcher m = ROW.matcher(section.substring(0, section.indexOf("\n## ", 5)));
    List<String> wrong = new ArrayList<>();
    int rows = 0;
    while (m.find()) {
      rows++;
      String key = m.group(1);
      String shown = m.group(2);
      ConfigValue value = ref.getValue(key);
      Object expected = value.unwrapped();
      Object parsed = ConfigFactory.parseString("v = " + shown).getValue("v").unwrapped();
      boolean same = expected instanceof Number e && parsed instanceof Number p
          ? e.doubleValue() == p.doubleValue() : expected.equals(parsed);
      if (!same) {
        wrong.add(key + ": README shows " + shown + ", reference.conf has " + expected);
      }
    }
    assertTrue(rows >= 40, "found only " + rows + " table rows");
    assertEquals(List.of(), wrong);
  }
}
