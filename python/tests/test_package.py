"""The package's version, its jar, and the errors when they do not fit (no Spark needed)."""

import re
import zipfile

import pytest

import sparkprop
from sparkprop import SparkpropJarError, jar_version
from sparkprop._version import MAVEN_VERSION, maven_to_pep440

from conftest import ROOT


def pom_version() -> str:
    pom = (ROOT / "pom.xml").read_text(encoding="utf-8")
    # The project's own <version> follows its <artifactId>.
    match = re.search(r"<artifactId>sparkprop</artifactId>\s*<version>([^<]+)</version>", pom)
    assert match, "pom.xml has no <artifactId>sparkprop</artifactId> followed by <version>"
    return match.group(1)


def test_package_version_is_the_maven_version_in_pep440_form():
    assert MAVEN_VERSION == pom_version(), "update python/sparkprop/_version.py"
    assert sparkprop.__version__ == maven_to_pep440(pom_version())


@pytest.mark.parametrize("maven, pep440", [
    ("0.1.0-SNAPSHOT", "0.1.0.dev0"),
    ("0.1.0", "0.1.0"),
    ("1.2.3-rc1", "1.2.3rc1"),
    ("1.2.3-RC2", "1.2.3rc2"),
    ("2.0-alpha1", "2.0a1"),
    ("2.0.0-beta3", "2.0.0b3"),
])
def test_maven_to_pep440(maven, pep440):
    assert maven_to_pep440(maven) == pep440


def test_maven_to_pep440_rejects_what_it_cannot_map():
    with pytest.raises(ValueError, match="'1.0-custom' has no PEP 440 mapping"):
        maven_to_pep440("1.0-custom")


def test_jar_path_is_the_jar_of_this_version():
    path = sparkprop.jar_path()
    assert path.endswith(f"sparkprop-{MAVEN_VERSION}.jar")
    assert jar_version(path) == MAVEN_VERSION
    with zipfile.ZipFile(path) as jar:   # the JVM side of the wrappers is in it
        names = set(jar.namelist())
    for cls in ["SparkpropClassifier", "SparkpropClassificationModel",
                "SparkpropRegressor", "SparkpropRegressionModel"]:
        assert f"dev/sparkprop/ml/{cls}.class" in names


def fake_jar(folder, version):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"sparkprop-{version}.jar"
    with zipfile.ZipFile(path, "w") as jar:
        jar.writestr("dev/sparkprop/version.properties", f"version={version}\n")
    return path


def test_jar_of_another_version_is_a_clear_error(tmp_path, monkeypatch):
    fake_jar(tmp_path / "jars", "9.9.9")
    monkeypatch.setattr(sparkprop, "_packaged_jars", lambda: tmp_path / "jars")
    with pytest.raises(SparkpropJarError) as error:
        sparkprop.jar_path()
    message = str(error.value)
    assert "sparkprop-9.9.9.jar is 9.9.9" in message
    assert f"this Python package is sparkprop {sparkprop.__version__} (Maven {MAVEN_VERSION})" \
        in message


def test_packaged_jar_comes_before_the_checkout_jar(tmp_path, monkeypatch):
    packaged = fake_jar(tmp_path / "jars", MAVEN_VERSION)
    monkeypatch.setattr(sparkprop, "_packaged_jars", lambda: tmp_path / "jars")
    assert sparkprop.jar_path() == str(packaged)


def test_missing_jar_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(sparkprop, "_packaged_jars", lambda: tmp_path / "none")
    monkeypatch.setattr(sparkprop, "_checkout_jars", lambda: tmp_path / "target")
    with pytest.raises(SparkpropJarError,
                       match=re.escape(f"sparkprop-{MAVEN_VERSION}.jar) was not found in ")
                       + r".*none or .*target; build it with `mvn -B -DskipTests package`"):
        sparkprop.jar_path()


def test_a_jar_without_version_properties_is_named(tmp_path):
    path = tmp_path / "sparkprop-x.jar"
    with zipfile.ZipFile(path, "w") as jar:
        jar.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n")
    with pytest.raises(SparkpropJarError, match="has no dev/sparkprop/version.properties"):
        jar_version(path)
