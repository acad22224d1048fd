"""The package's version and the Maven version of the jar it belongs to.

MAVEN_VERSION is pom.xml's <version>; __version__ is the same version in PEP 440 form
(see maven_to_pep440). tests/test_package.py checks both against pom.xml, and jar_path()
checks the jar's dev/sparkprop/version.properties against MAVEN_VERSION.
"""

import re

MAVEN_VERSION = "0.1.0-SNAPSHOT"


def maven_to_pep440(version: str) -> str:
    """Maps a Maven version to PEP 440: 1.2.3 -> 1.2.3, 1.2.3-SNAPSHOT -> 1.2.3.dev0,
    1.2.3-rc1 / -RC1 -> 1.2.3rc1, 1.2.3-alpha2 -> 1.2.3a2, 1.2.3-beta1 -> 1.2.3b1.
    A -SNAPSHOT is a development build of the release it precedes, which PEP 440 spells
    .devN (sorting before 1.2.3 and its pre-releases)."""
    m = re.fullmatch(r"(\d+(?:\.\d+)*)(?:-(?:(rc|alpha|beta)(\d+)|(SNAPSHOT)))?", version,
                     re.IGNORECASE)
    if m is None:
        raise ValueError(f"Maven version {version!r} has no PEP 440 mapping; expected "
                         "X.Y.Z, X.Y.Z-SNAPSHOT, X.Y.Z-rcN, X.Y.Z-alphaN or X.Y.Z-betaN")
    release, pre, number, snapshot = m.groups()
    if snapshot:
        return release + ".dev0"
    if pre:
        return release + {"rc": "rc", "alpha": "a", "beta": "b"}[pre.lower()] + number
    return release


__version__ = maven_to_pep440(MAVEN_VERSION)
