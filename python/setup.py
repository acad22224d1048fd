"""Bundles the application jar into the package: everything else is in pyproject.toml."""

import re
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


def maven_version() -> str:
    text = (HERE / "sparkprop" / "_version.py").read_text(encoding="utf-8")
    return re.search(r'^MAVEN_VERSION = "([^"]+)"', text, re.MULTILINE).group(1)


class BuildWithJar(build_py):
    """Copies ../target/sparkprop-<MAVEN_VERSION>.jar to sparkprop/jars/ in the build."""

    def run(self):
        super().run()
        jar = HERE.parent / "target" / f"sparkprop-{maven_version()}.jar"
        if not jar.is_file():
            raise SystemExit(
                f"sparkprop: {jar} not found; build it first with "
                "`mvn -B -DskipTests package` in the repository root, then run "
                "`pip install ./python` again")
        destination = Path(self.build_lib) / "sparkprop" / "jars"
        destination.mkdir(parents=True, exist_ok=True)
        for old in destination.glob("*.jar"):
            old.unlink()
        shutil.copy2(jar, destination / jar.name)


setup(cmdclass={"build_py": BuildWithJar})
