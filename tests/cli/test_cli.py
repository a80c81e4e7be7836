"""The command line as users meet it: messages, exit codes, engine setting, no tracebacks."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from pilotfactory.cli.app import cli
from pilotfactory.cli.options import engine_setting as _engine

from tests.conftest import REPO, ESTATE


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_validate_a_valid_catalog(make_estate):
    estate = make_estate(3)  # production, staging and pilot: 3 + 2 + 1 pilot stacks
    result = run("validate", "--root", str(estate.root))
    assert result.exit_code == 0, result.output
    assert result.stdout == "catalog valid: 3 pilots, 6 pilot stacks in 3 environments\n"


def test_validate_json_lists_every_diagnostic_with_its_location(repo_copy):
    (repo_copy / "catalog" / "pilots" / "typo.yaml").write_text(
        (ESTATE / "catalog" / "pilots" / "card-fraud-scoring.yaml").read_text()
        .replace("name: card-fraud-scoring", "name: typo").replace("phase: pilot", "phase: pilto"))
    result = run("validate", "--root", str(repo_copy), "--format", "json")
    assert result.exit_code == 3  # an error in one pilot's own file withholds that pilot only
    [diag] = json.loads(result.stdout)
    assert diag["code"] == "PF104" and diag["file"] == "catalog/pilots/typo.yaml"
    assert diag["path"] == "phase" and "did you mean `pilot`?" in diag["summary"]
    assert isinstance(diag["line"], int) and isinstance(diag["column"], int)


def test_stacks_lists_names_without_synthesizing(make_estate):
    estate = make_estate(3)
    result = run("stacks", "--root", str(estate.root))
    assert result.exit_code == 0
    names = result.stdout.split()
    assert names[:4] == ["account", "platform-dev", "platform-staging", "platform-prod"]
    assert "pilot-000-prod" in names and "pilot-001-prod" not in names and len(names) == 10


def test_a_missing_config_folder_is_a_diagnostic_not_a_traceback(tmp_path):
    result = subprocess.run([sys.executable, "-m", "pilotfactory", "validate", "--root", str(tmp_path)],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "config/environments.yaml:1:1: error[PF107]: missing `config/environments.yaml`" in result.stderr


def test_synth_in_ci_prints_one_summary_line(make_estate, tmp_path, monkeypatch, capfd):
    from pilotfactory.cli.app import main

    estate = make_estate(3)
    monkeypatch.setenv("CI", "true")
    # in process, as the real entry point runs it: the clock stays pinned (tests/conftest.py)
    monkeypatch.setattr(sys, "argv", ["pilotfactory", "synth", "--root", str(estate.root),
                                      "--out", str(tmp_path / "out")])
    try:
        main()
        code = 0
    except SystemExit as exited:
        code = exited.code or 0
    out, err = capfd.readouterr()
    assert code == 0, err
    assert err == ""
    assert out.startswith("synthesized 10 stacks into ")
    assert len(out.splitlines()) == 1


def test_engine_is_one_setting(tmp_path, monkeypatch):
    monkeypatch.delenv("PILOTFACTORY_ENGINE", raising=False)
    (tmp_path / "cdktf.json").write_text(json.dumps({"context": {"pilotfactoryEngine": "cdktn"}}))
    assert _engine(tmp_path, None) == "cdktn"
    assert _engine(REPO, None) == "cdktf"
    monkeypatch.setenv("PILOTFACTORY_ENGINE", "cdktn")
    assert _engine(REPO, None) == "cdktn"
    assert _engine(REPO, "cdktf") == "cdktf"


def test_codes_are_listed_with_their_meaning():
    result = run("codes")
    assert result.exit_code == 0
    assert "PF007  A key appears twice" in result.stdout


@pytest.mark.parametrize("no_cache", [False, True])
def test_commands_keep_the_content_cache_unless_told_not_to_and_leave_the_process_as_it_was(
        make_estate, monkeypatch, capfd, no_cache):
    from pilotfactory.cli.app import main
    from pilotfactory.files.content_cache import enabled_by_default

    estate = make_estate(2)
    if no_cache:
        monkeypatch.setenv("PILOTFACTORY_NO_CACHE", "1")
    monkeypatch.setattr(sys, "argv", ["pilotfactory", "validate", "--root", str(estate.root)])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 0, capfd.readouterr()
    assert (estate.root / ".pilotfactory" / "cache" / "content" / "yaml").is_dir() is not no_cache
    assert not enabled_by_default(), "a library caller after main() would write caches beside its catalogs"
