"""sparkprop for Python: Spark ML wrappers (sparkprop.ml) of sparkprop's JVM Estimators.

The JVM classes live in sparkprop's application jar; put it on Spark's classpath with

    SparkSession.builder.config("spark.jars", sparkprop.jar_path())

before the session (or the local Spark Connect server) starts.
"""

import zipfile
from pathlib import Path
from typing import List

from sparkprop._version import MAVEN_VERSION, __version__

__all__ = ["__version__", "MAVEN_VERSION", "jar_path", "SparkpropJarError"]

_JAR_NAME = f"sparkprop-{MAVEN_VERSION}.jar"
_VERSION_ENTRY = "dev/sparkprop/version.properties"


class SparkpropJarError(RuntimeError):
    """The application jar is missing, unreadable, or of another version than this package."""


def _packaged_jars() -> Path:
    """Where `pip install ./python` puts the jar: the installed package's data."""
    return Path(__file__).resolve().parent / "jars"


def _checkout_jars() -> Path:
    """Where `mvn package` writes the jar when this package is imported from a source
    checkout (python/sparkprop/__init__.py -> target/)."""
    return Path(__file__).resolve().parents[2] / "target"


def _application_jars(folder: Path) -> List[Path]:
    """sparkprop-*.jar in folder, without the shade plugin's original-*.jar and the
    -sources/-javadoc/-tests attachments."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("sparkprop-*.jar")
                  if not p.stem.endswith(("-sources", "-javadoc", "-tests")))


def jar_version(path: "str | Path") -> str:
    """The Maven version recorded in the jar's dev/sparkprop/version.properties."""
    try:
        with zipfile.ZipFile(path) as jar:
            text = jar.read(_VERSION_ENTRY).decode("utf-8")
    except KeyError:
        raise SparkpropJarError(
            f"{path} has no {_VERSION_ENTRY}; it is not a sparkprop application jar") from None
    except (OSError, zipfile.BadZipFile) as e:
        raise SparkpropJarError(f"{path} cannot be read as a jar: {e}") from e
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() == "version":
            return value.strip()
    raise SparkpropJarError(f"{path}: {_VERSION_ENTRY} has no 'version=' line")


def jar_path() -> str:
    """The path of the sparkprop application jar that belongs to this package.

    Looks in the installed package's data first (`pip install ./python` copies the jar
    there), then in target/ of the source checkout this module was imported from. The
    jar's version (its dev/sparkprop/version.properties) must be this package's
    MAVEN_VERSION; another version is an error, since the Python wrappers and the JVM
    classes must agree on every Param.
    """
    folders = [_packaged_jars(), _checkout_jars()]
    for folder in folders:
        jars = _application_jars(folder)
        if not jars:
            continue
        versions = {jar: jar_version(jar) for jar in jars}
        for jar, version in versions.items():
            if version == MAVEN_VERSION:
                return str(jar)
        found = ", ".join(f"{jar} is {version}" for jar, version in versions.items())
        raise SparkpropJarError(
            f"this Python package is sparkprop {__version__} (Maven {MAVEN_VERSION}), but "
            f"{found}; build the jar and install the package from the same checkout "
            "(`mvn -B -DskipTests package`, then `pip install ./python`).")
    raise SparkpropJarError(
        f"sparkprop's application jar ({_JAR_NAME}) was not found in "
        + " or ".join(str(f) for f in folders)
        + "; build it with `mvn -B -DskipTests package` in the repository, then install "
        "this package with `pip install ./python`.")
