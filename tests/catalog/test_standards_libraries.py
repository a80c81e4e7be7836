"""config/standards.yaml `libraries`: a library that is not pinned or not in a volume is a located error."""
from __future__ import annotations

from pilotfactory.pipeline import check


def _errors(root, text):
    path = root / "config" / "standards.yaml"
    path.write_text(path.read_text().split("\nlibraries:", 1)[0] + "\n" + text)
    return [d.render() for d in check(root).diagnostics if d.severity.value == "error"]


def test_an_unpinned_pypi_package_is_refused_at_its_line(repo_copy):
    errors = _errors(repo_copy, "libraries:\n  pypi:\n    - requests\n")
    assert len(errors) == 1 and errors[0].startswith("config/standards.yaml:") and "PF104" in errors[0]
    assert "`requests`" in errors[0]


def test_a_jar_outside_unity_catalog_volumes_is_refused(repo_copy):
    errors = _errors(repo_copy, "libraries:\n  jar:\n    - dbfs:/FileStore/jars/x.jar\n")
    assert len(errors) == 1 and "PF104" in errors[0]


def test_pinned_libraries_are_accepted(repo_copy):
    assert _errors(repo_copy, "libraries:\n  pypi: [requests==2.32.3]\n  maven: [a.b:c:1.0]\n"
                              "  jar: [/Volumes/c/s/v/x-1.jar]\n") == []
