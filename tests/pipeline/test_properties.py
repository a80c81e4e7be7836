"""Property tests: whatever a contributor writes, the answer is diagnostics, never a traceback."""
from __future__ import annotations

import copy
import shutil

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pilotfactory.diagnostics.diagnostic import Diagnostics
from pilotfactory.pipeline import check
from pilotfactory.yamlio.source import load_yaml_text

from tests.conftest import ESTATE

EXAMPLE = yaml.safe_load((ESTATE / "catalog" / "pilots" / "kyc-document-triage.yaml").read_text())

yaml_ish = st.text(alphabet=st.sampled_from(list("ab:- \n\t'\"[]{}&*!#|>%@`,?0123456789yesNO~.")),
                   max_size=200)


@settings(max_examples=300, deadline=None)
@given(yaml_ish)
def test_the_loader_never_raises_and_always_locates(text):
    diags = Diagnostics()
    source = load_yaml_text(text, "f.yaml", diags)
    assert source is not None or diags.has_errors
    for d in diags:
        assert d.location is not None and d.location.line >= 1 and d.location.column >= 1


def _paths(data, prefix=()):
    yield prefix
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _paths(v, prefix + (i,))


PATHS = [p for p in _paths(EXAMPLE) if p]
REPLACEMENTS = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**6), st.text(max_size=12),
                         st.lists(st.integers(0, 3), max_size=2), st.dictionaries(st.sampled_from(["x", "name"]), st.integers(), max_size=2))


def _mutate(data, path, action, value):
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    if action == "drop":
        del parent[path[-1]]
    else:
        parent[path[-1]] = value


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(PATHS), st.sampled_from(["drop", "set"]), REPLACEMENTS),
                min_size=1, max_size=3))
def test_mutated_pilots_give_located_diagnostics(tmp_path_factory, mutations):
    root = tmp_path_factory.mktemp("repo")
    for name in ("config", "evidence"):
        shutil.copytree(ESTATE / name, root / name)
    shutil.copytree(ESTATE / "catalog" / "templates", root / "catalog" / "templates")
    data = copy.deepcopy(EXAMPLE)
    for path, action, value in mutations:
        try:
            _mutate(data, path, action, value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or replaced the parent
    (root / "catalog" / "pilots").mkdir()
    (root / "catalog" / "pilots" / "kyc-document-triage.yaml").write_text(yaml.safe_dump(data))
    checked = check(root)
    for d in checked.diagnostics:
        assert d.location is not None and d.location.file.startswith(("catalog/", "config/")), d
        assert d.code.startswith("PF"), d
