"""Pilot names whose stack names would not read back as that pilot and environment are refused (PF228)."""
from __future__ import annotations

import pytest

from pilotfactory.diagnostics.codes import Code
from pilotfactory.pipeline import check
from tests.factory import PilotSpec


def _refused(root, name: str) -> list[str]:
    return [d.render() for d in check(root).diagnostics.errors
            if d.code == Code.AMBIGUOUS_STACK_NAME and d.location.file == f"catalog/pilots/{name}.yaml"]


@pytest.mark.parametrize("name, refused", [
    ("fraud-prod", True),        # ends in `-prod`: `fraud-prod-dev` is fine, but a reader cannot tell
    ("fraud-dev", True),
    ("fraud-staging", True),
    ("fraud-prods", False),      # no environment is a suffix after a dash
    ("fraud-xprod", False),
    ("prod-fraud", False),       # an environment's name at the start is not read as one
    ("fraud", False),
])
def test_a_name_ending_in_an_environment_is_refused_at_its_line(make_estate, name, refused):
    estate = make_estate(specs_=[PilotSpec(name, phase="pilot")])
    errors = _refused(estate.root, name)
    if not refused:
        assert errors == []
        return
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"catalog/pilots/{name}.yaml:3:7: error[PF228]: `{name}` ends in `-")
    assert "choose a name that ends in no environment" in errors[0]


def test_environment_names_hold_no_dash_so_the_ending_is_the_whole_ambiguity(make_estate):
    """What makes PF228 complete: `pre-prod` beside `prod` would let `x-pre` in prod read as `x` in pre-prod."""
    estate = make_estate(1)
    path = estate.root / "config" / "environments.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("\n  staging:\n", "\n  pre-prod:\n", 1),
                    encoding="utf-8")
    errors = [d.render() for d in check(estate.root).diagnostics.errors if d.code == "PF104"]
    assert any("`pre-prod` is not an environment name" in e for e in errors), errors
