"""The README's table of environment variables names every one the pipeline reads."""

from __future__ import annotations

import re

from tests.conftest import ROOT


def test_every_environment_variable_the_pipeline_reads_is_in_the_readme():
    read = {
        name
        for folder in ("plugins", "dags")
        for path in (ROOT / folder).rglob("*.py")
        for name in re.findall(r"\bIMPROVEMENT_[A-Z_]+\b", path.read_text())
    }
    documented = set(
        re.findall(r"^\| `(IMPROVEMENT_[A-Z_]+)` \|", (ROOT / "README.md").read_text(), re.M)
    )
    assert read - documented == set(), "add these to the README's table of environment variables"
