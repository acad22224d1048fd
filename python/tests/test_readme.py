"""The README's Python example, run as written (over Connect with its one-line change)."""

import re

from conftest import ROOT


def python_section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("\n## Python\n")
    end = readme.find("\n## ", start + 1)
    return readme[start:end if end > 0 else None]


def example() -> str:
    section = python_section()
    start = section.index("### A Pipeline: fit, evaluate, save, load")
    return re.search(r"```python\n(.*?)```", section[start:], re.DOTALL).group(1)


def test_readme_example_runs(spark, mode, monkeypatch, capsys):
    code = example()
    if mode == "connect":
        # The README's Connect variant: the session line with remote instead of master.
        assert '.master("local[2]")' in code
        connect = re.search(r"```python\n(.*?)```",
                            python_section()[python_section().index("### Over Spark Connect"):],
                            re.DOTALL).group(1)
        assert 'SparkSession.builder.remote("local[2]")' in connect
        code = code.replace('.master("local[2]")', '.remote("local[2]")')
    monkeypatch.chdir(ROOT)
    namespace = {}
    exec(compile(code, "README.md (Python example)", "exec"), namespace)
    assert namespace["spark"] is spark   # getOrCreate found this run's session
    printed = capsys.readouterr().out
    assert f"test accuracy {namespace['accuracy']:.3f}" in printed.splitlines(), printed
    # Measured 0.955 (294 of 308 rows); 0.94 leaves about four rows of margin for changes in
    # the arithmetic's order. test_digits holds the Pipeline to the CLI's accuracy exactly.
    assert namespace["accuracy"] >= 0.94
