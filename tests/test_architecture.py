"""The layering the conventions promise: the domain never touches the CDK."""
from __future__ import annotations

import ast
import re
import subprocess
import sys

import pytest

from tests.conftest import ESTATE, REPO

CDK_PACKAGES = {"cdktf", "cdktn", "cdktf_cdktf_provider_databricks", "cdktn_provider_databricks", "constructs"}


def _imports(path) -> list[tuple[str, int, bool]]:
    """(module, line, lazy): lazy when the import sits inside a function."""
    out = []
    tree = ast.parse(path.read_text())
    lazy_nodes = {id(n) for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                  for n in ast.walk(f)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno, id(node) in lazy_nodes) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            out.append((node.module or "", node.lineno, id(node) in lazy_nodes))
    return out


def test_domain_and_generators_never_import_the_cdk_and_load_stacks_only_lazily():
    """The CDK is never imported by the domain; the synth-side functions that need the stacks
    import them inside the function, so validate and the other commands never pay for it."""
    offenders = []
    for package in ("pilotfactory", "generators"):
        for path in sorted((REPO / package).rglob("*.py")):
            for module, line, lazy in _imports(path):
                top = module.split(".")[0]
                if top in CDK_PACKAGES or (top == "stacks" and not lazy):
                    offenders.append(f"{path.relative_to(REPO)}:{line} imports {module}")
    assert offenders == []


def test_validate_does_not_load_the_cdk():
    code = ("import sys; from pathlib import Path; from pilotfactory.pipeline import check; "
            f"assert check(Path({str(ESTATE)!r})).ok; "
            "loaded = sorted(m for m in sys.modules if m.split('.')[0] in "
            f"{sorted(CDK_PACKAGES)!r} or m.startswith('stacks')); print(loaded)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_no_module_is_named_like_a_grab_bag():
    names = {p.stem for d in ("pilotfactory", "stacks", "generators") for p in (REPO / d).rglob("*.py")}
    assert not {"utils", "helpers", "misc"} & names


# --- The import graph: no cycles, and every area imports only areas below it. ---

# Rank of each area (pilotfactory/<area>/, stacks/, generators/): an area imports only lower ranks.
LAYERS = {
    "diagnostics": 0, "files": 0,
    "yamlio": 1, "isolation": 1, "tfjson": 1,   # tfjson: Terraform facts every layer above reads
    "catalog": 2,
    "validate": 3, "gates": 3, "guardrails": 3,
    "generators": 4, "controls": 4,
    "stacks": 5,
    "synth": 6,
    "pipeline": 7,      # lists every step through synth, so it sits just above synth
    # validate of the whole catalog: the pipeline's steps per pilot file, cached; below review,
    # which judges both of its sides with it
    "verdict": 7.5,
    "review": 8, "release": 8, "scaffold": 8, "governance": 8,
    "live": 9, "ci": 9,
    "cli": 10,
    "__main__": 11,
}


def _modules() -> dict[str, object]:
    out = {}
    for package in ("pilotfactory", "stacks", "generators"):
        for path in (REPO / package).rglob("*.py"):
            name = ".".join(path.relative_to(REPO).with_suffix("").parts)
            out[name.removesuffix(".__init__")] = path
    return out


def _import_graph() -> dict[str, set[str]]:
    """Module -> modules it imports (lazy imports included): `from a import b` names the
    submodule a.b when there is one, else the module a."""
    modules = _modules()
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                subs = [f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in modules]
                targets = subs or [node.module]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def _area(module: str) -> str:
    parts = module.split(".")
    return parts[1] if parts[0] == "pilotfactory" and len(parts) > 1 else parts[0]


def test_relative_imports_are_not_used_in_the_domain():
    """Absolute imports keep the graph readable by grep and by the checks below."""
    offenders = [f"{p.relative_to(REPO)}:{n.lineno}" for p in _modules().values() if "pilotfactory" in p.parts
                 for n in ast.walk(ast.parse(p.read_text())) if isinstance(n, ast.ImportFrom) and n.level]
    assert offenders == []


def test_the_import_graph_has_no_cycle():
    graph = _import_graph()
    state: dict[str, int] = {}
    cycles = []

    def visit(node, path):
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_every_area_has_a_layer_and_imports_only_lower_layers():
    graph = _import_graph()
    unknown = sorted({_area(m) for m in graph} - set(LAYERS) - {"pilotfactory"})
    assert unknown == [], f"give these areas a rank in LAYERS: {unknown}"
    upward = sorted(f"{m} imports {t}" for m, targets in graph.items() for t in targets
                    if _area(m) in LAYERS and _area(t) in LAYERS and _area(m) != _area(t)
                    and LAYERS[_area(t)] >= LAYERS[_area(m)])
    assert upward == []


def test_the_layering_check_sees_an_upward_import(monkeypatch):
    """The rank check is not vacuous: pretend validate sat above the pipeline."""
    monkeypatch.setitem(LAYERS, "validate", LAYERS["pipeline"] + 1)
    with pytest.raises(AssertionError, match="pilotfactory.pipeline imports pilotfactory.validate"):
        test_every_area_has_a_layer_and_imports_only_lower_layers()


def test_the_command_table_names_every_registered_command_and_nothing_else():
    from pilotfactory.cli.app import COMMANDS, commands_of

    registered = {}
    for path in sorted((REPO / "pilotfactory" / "cli" / "commands").glob("*.py")):
        if path.stem != "__init__":
            registered |= {name: path.stem for name in commands_of(path.stem)}
    assert registered == COMMANDS


@pytest.mark.parametrize("args, avoided", [
    (["--version"], ("pilotfactory.cli.commands", "pilotfactory.catalog", "pydantic", "stacks")),
    (["--help"], ("pilotfactory.catalog.model", "pilotfactory.pipeline", "pydantic", "jinja2",
                  "databricks", "stacks")),
])
def test_version_and_help_load_no_domain_model(args, avoided):
    """Start-up stays cheap: --version loads no command, --help only the commands' declarations."""
    code = ("import sys\nfrom click.testing import CliRunner\nfrom pilotfactory.cli.app import cli\n"
            f"result = CliRunner().invoke(cli, {args!r})\nassert result.exit_code == 0, result.output\n"
            f"print(sorted(m for m in sys.modules if m.startswith({avoided!r})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_architecture_map_names_every_package_with_its_layer():
    """docs/architecture.md is the newcomer's map: a new package, or a moved layer, shows up there."""
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if line.startswith("| `") and len(cells) == 3:
            rows[cells[0].strip("`").rstrip("/")] = cells[2]
    packages = {f"pilotfactory/{p.name}" for p in (REPO / "pilotfactory").iterdir()
                if (p / "__init__.py").is_file()} | {"stacks", "generators", "pilotfactory/pipeline.py"}
    assert packages - set(rows) == set()
    ranks = {path: str(LAYERS[_area(path.replace("/", ".").removesuffix(".py"))]) for path in packages}
    assert {path: rows[path] for path in packages} == ranks


# Tests mirror the tree: a reader finds the tests of pilotfactory/gates/ in tests/gates/. Besides the
# packages, tests/ holds the two top-level source folders and tests/deploy/ (a stack read against the
# provider's schema and source: it spans every stack module, so it belongs to none of them).
TEST_FOLDERS_BESIDES_PACKAGES = {"stacks", "generators", "deploy"}
TOP_LEVEL_TEST_MODULES = {"test_architecture.py", "test_ci_guards.py", "test_factory.py"}


def _test_layout_problems(tests_root, source_root) -> list[str]:
    owners = {p.name.removesuffix(".py") for p in (source_root / "pilotfactory").iterdir()
              if (p / "__init__.py").is_file() or (p.suffix == ".py" and p.stem != "__init__")}
    problems = [f"tests/{p.name}: a test module belongs in the folder of the package it tests"
                for p in sorted(tests_root.glob("test_*.py")) if p.name not in TOP_LEVEL_TEST_MODULES]
    problems += [f"tests/{p.name}/: no package pilotfactory/{p.name} (or listed exception) to mirror"
                 for p in sorted(tests_root.iterdir())
                 if p.is_dir() and any(p.glob("test_*.py"))
                 and p.name not in owners | TEST_FOLDERS_BESIDES_PACKAGES]
    return problems


def test_tests_mirror_the_source_tree():
    assert _test_layout_problems(REPO / "tests", REPO) == []


def test_the_mirror_check_sees_a_stray_test(tmp_path):
    (tmp_path / "tests" / "misc").mkdir(parents=True)
    (tmp_path / "tests" / "test_loose.py").write_text("")
    (tmp_path / "tests" / "misc" / "test_x.py").write_text("")
    (tmp_path / "pilotfactory" / "gates").mkdir(parents=True)
    (tmp_path / "pilotfactory" / "gates" / "__init__.py").write_text("")
    assert len(_test_layout_problems(tmp_path / "tests", tmp_path)) == 2


# --- tests own their data: only the example's end-to-end test reads the example catalog ---
# A bank replaces catalog/pilots/ (and evidence/, docs/pilots/) with its own pilots and keeps a green
# suite: every other test reads tests/estate or a catalog it builds (tests/factory.py).
EXAMPLE_OWN_TEST = "tests/pipeline/test_example_catalog.py"

# Ways a test reads the repository's own catalog: its files, or a command or check run on REPO.
_READS_THE_EXAMPLE = re.compile(
    r"\bREPO\s*/\s*[\"']catalog[\"']\s*/\s*[\"']pilots[\"']"
    r"|\bREPO\s*/\s*[\"']evidence[\"']|\bREPO\s*/\s*[\"']docs[\"']\s*/\s*[\"']pilots[\"']"
    r"|[\"']catalog/pilots/?[\"']\s*\)?\s*,?\s*REPO\b"
    r"|\b(?:check|load|load_catalog|check_catalog|synthesize_stacks)\(\s*REPO\b"
    r"|\bcwd\s*=\s*(?:str\()?REPO\b"
    r"|str\(REPO\)[^\n]*--root|--root[^\n]*str\(REPO\)"
    r"|PILOTFACTORY_ROOT[^\n]*REPO")


def example_readers(tests_root) -> dict[str, list[str]]:
    """Test module -> how it reads the repository's example catalog."""
    found = {}
    for path in sorted(tests_root.rglob("*.py")):
        rel = path.relative_to(tests_root.parent).as_posix()
        if rel in (EXAMPLE_OWN_TEST, "tests/test_architecture.py"):  # this module spells the patterns
            continue
        hits = sorted({m.group(0) for m in _READS_THE_EXAMPLE.finditer(path.read_text(encoding="utf-8"))})
        if hits:
            found[rel] = hits
    return found


# Read REPO for what is not the example catalog: the repository itself (git, pytest), or the
# committed guardrail config the JSON fixtures are checked against. Each says why in its module.
NOT_THE_CATALOG = {
    "tests/test_ci_guards.py",        # runs pytest in the repository
    "tests/cli/test_make_synth.py",   # runs the Makefile with a stand-in BIN that records the calls
}


def test_only_the_example_test_reads_the_example_catalog():
    found = example_readers(REPO / "tests")
    assert {m: hits for m, hits in found.items() if m not in NOT_THE_CATALOG} == {}
    assert sorted(NOT_THE_CATALOG - set(found)) == [], "no longer reads REPO: drop it from the list"


@pytest.mark.parametrize("line", [
    'x = REPO / "catalog" / "pilots" / "a.yaml"', "x = REPO / 'evidence' / 'a'", "checked = check(REPO)",
    'out = REPO / "docs" / "pilots"',
    'run("synth", "--root", str(REPO))', "subprocess.run(cmd, cwd=REPO)",
    'env = {"PILOTFACTORY_ROOT": str(REPO)}', "load_catalog(REPO, diags)",
])
def test_the_reader_check_sees_a_read_of_the_example(tmp_path, line):
    (tmp_path / "tests" / "gates").mkdir(parents=True)
    (tmp_path / "tests" / "gates" / "test_x.py").write_text(line + "\n")
    (tmp_path / "tests" / "gates" / "test_ok.py").write_text(
        'x = ESTATE / "catalog" / "pilots"\ny = REPO / "catalog" / "templates"\nz = REPO / "schema"\n')
    assert list(example_readers(tmp_path / "tests")) == ["tests/gates/test_x.py"]
