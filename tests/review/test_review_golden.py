"""`pilotfactory review --base REF` on real catalogs in throwaway git repositories: golden Markdown
and JSON per scenario, and the exit-status contract of --fail-on.

Each scenario starts from a catalog committed as the base (the example catalog, or for the scenarios
that add pilots a generated estate from tests/factory.py), then edits the working tree (or commits
the edit and reviews --head). UPDATE_GOLDEN=1 rewrites tests/review/golden/<case>.md|json.
"""
from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from pilotfactory.cli.app import cli
from pilotfactory.gates.digest import approval_digest
from pilotfactory.review.render_markdown import COMMENT_LIMIT
from pilotfactory.synth.cache import StackCache
from pilotfactory.synth.build import synthesize
from pilotfactory.pipeline import check

from tests.conftest import ESTATE
from tests.factory import specs, write_estate

GOLDEN = Path(__file__).parent / "golden"


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True,
                          env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                               "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}).stdout


def _yaml() -> YAML:
    y = YAML()
    y.preserve_quotes = True
    y.width = 4096
    return y


def edit(path: Path, change: Callable[[dict], None]) -> None:
    data = _yaml().load(path.read_text(encoding="utf-8"))
    change(data)
    out = io.StringIO()
    _yaml().dump(data, out)
    path.write_text(out.getvalue(), encoding="utf-8")


def pilots(root: Path, phase: str) -> list[Path]:
    """Pilot files in `phase`, so scenarios follow the catalog rather than its names."""
    return [p for p in sorted((root / "catalog" / "pilots").glob("*.yaml"))
            if _yaml().load(p.read_text())["phase"] == phase]


def _committed(root: Path) -> Path:
    """`root` committed as `main`, checked, its stack cache warm."""
    (root / ".gitignore").write_text("/.pilotfactory/\n/cdktf.out/\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    checked = check(root)
    assert checked.ok, [d.render() for d in checked.diagnostics.errors]
    # Warm the stack cache once; every scenario copies it, so only its edited stacks are built.
    synthesize(checked.resolution.catalog, root / "cdktf.out", cache=(root, StackCache.at(root)))
    return root


@pytest.fixture(scope="module")
def base_repo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("base") / "repo"
    root.mkdir()
    for name in ("config", "catalog", "evidence"):
        shutil.copytree(ESTATE / name, root / name)
    shutil.copy(ESTATE / "cdktf.json", root / "cdktf.json")
    return _committed(root)


@pytest.fixture(scope="module")
def estate_repo(tmp_path_factory) -> Path:
    """A generated estate (tests/factory.py: production, staging and pilot-phase pilots) as the base
    of the scenarios that add pilots, so their goldens follow the factory, not the example catalog."""
    return _committed(write_estate(tmp_path_factory.mktemp("estate") / "repo", specs(3)).root)


@pytest.fixture
def repo(base_repo: Path, tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(base_repo, root, symlinks=True)
    return root


def review(root: Path, *args: str):
    return CliRunner().invoke(cli, ["review", "--root", str(root), *args])


# ---- scenarios: one edit each ---------------------------------------------------------------

def permission_broadening(root: Path) -> None:
    """prod approvers may now manage jobs instead of only running them."""
    edit(root / "config" / "environments.yaml",
         lambda d: d["environments"]["prod"]["access"].__setitem__("approvers", "CAN_MANAGE"))


def permission_narrowing(root: Path) -> None:
    """staging on-call may only watch jobs."""
    edit(root / "config" / "environments.yaml",
         lambda d: d["environments"]["staging"]["access"].__setitem__("on_call", "CAN_VIEW"))


def policy_loosening(root: Path) -> None:
    """the medium tier allows four times the workers and a bigger node type."""
    def change(d):
        d["sizes"]["medium"]["max_workers"] = 32
        d["sizes"]["medium"]["node_types"].append("m6id.4xlarge")
    edit(root / "config" / "standards.yaml", change)


def copy_pilot(source: Path, name: str) -> Path:
    """A copy of a pilot under a new name, its approvals re-signed for the new content."""
    target = source.with_name(f"{name}.yaml")
    shutil.copy(source, target)
    edit(target, lambda d: d.__setitem__("name", name))
    checked = check(source.parent.parent.parent)
    typed = next(t for t in checked.resolution.pilots if t.file == f"catalog/pilots/{target.name}")
    edit(target, lambda d: [a.__setitem__("digest", approval_digest(checked.catalog, typed.pilot, a["gate"]))
                            for a in d.get("approvals") or [] if "digest" in a])
    return target


def new_pilot(root: Path) -> None:
    source = pilots(root, "pilot")[0]
    copy_pilot(source, f"{source.stem[:30]}-eu")


def deleted_prod_pilot(root: Path) -> None:
    pilots(root, "production")[0].unlink()


def cutover(root: Path) -> None:
    """the production blue/green pilot promotes its other slot in prod (ending a canary there, if any)."""
    path = next(p for p in pilots(root, "production") if _yaml().load(p.read_text())["release"]["strategy"] == "blue_green")

    def change(d):
        active = d["release"]["active"]
        active["prod"] = next(s for s in d["release"]["slots"] if s != active["prod"])
        (d["release"].get("canary") or {}).pop("prod", None)
        # as `pilotfactory cutover --change` records it: prod asks for a change reference
        d["release"].setdefault("changes", {})["prod"] = {"ref": "CHG0012345", "action": "cutover",
                                                         "date": "2026-11-25"}
    edit(path, change)


def gate_change(root: Path) -> None:
    """a staging pilot goes back to phase pilot: its staging stack goes."""
    edit(pilots(root, "staging")[0], lambda d: d.__setitem__("phase", "pilot"))


def huge_diff(root: Path) -> None:
    source = pilots(root, "pilot")[0]
    for i in range(8):
        copy_pilot(source, f"{source.stem[:30]}-x{i}")


SCENARIOS = {f.__name__.replace("_", "-"): f for f in (
    permission_broadening, permission_narrowing, policy_loosening, new_pilot, deleted_prod_pilot,
    cutover, gate_change, huge_diff)}
ON_ESTATE = {"new-pilot", "huge-diff"}  # reviewed on estate_repo; the others on the example catalog


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} missing: run with UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def reviewed(request, tmp_path_factory):
    """Scenario -> (repo, Markdown, JSON): each scenario is applied and reviewed once per module."""
    done: dict[str, tuple[Path, str, dict]] = {}

    def get(case: str) -> tuple[Path, str, dict]:
        if case not in done:
            base = request.getfixturevalue("estate_repo" if case in ON_ESTATE else "base_repo")
            root = tmp_path_factory.mktemp(case) / "repo"
            shutil.copytree(base, root, symlinks=True)
            if case != "unchanged":
                SCENARIOS[case](root)
            out = root.parent / "review.json"
            result = review(root, "--base", "main", "--fail-on", "never", "--json-output", str(out))
            assert result.exit_code == 0, result.output
            done[case] = (root, result.stdout, json.loads(out.read_text(encoding="utf-8")))
        return done[case]
    return get


@pytest.mark.parametrize("case", sorted(SCENARIOS))
def test_review_golden(case: str, reviewed):
    _, markdown, as_json = reviewed(case)
    assert len(markdown.encode("utf-8")) <= COMMENT_LIMIT
    check_golden(f"{case}.md", markdown)
    check_golden(f"{case}.json", json.dumps(as_json, indent=2, ensure_ascii=False) + "\n")


def findings(reviewed, case: str, kind: str) -> list[dict]:
    return [f for f in reviewed(case)[2]["findings"] if f["kind"] == kind]


def test_broadening_names_principal_object_and_levels(reviewed):
    found = findings(reviewed, "permission-broadening", "broadening")
    assert found and all(f["env"] == "prod" for f in found)
    # one principal raised the same way on every job (both slots' and the two housekeeping jobs) is one finding
    [jobs] = [f for f in found if "CAN_MANAGE_RUN → CAN_MANAGE" in f["text"] and "job `" in f["text"]]
    assert "on 4 objects" in jobs["text"] and jobs["text"].count("job `") == 4
    assert "job `classify-blue`" in jobs["text"] and "job `inference-retention`" in jobs["text"]


def test_narrowing_is_not_broadening(reviewed):
    assert findings(reviewed, "permission-narrowing", "broadening") == []
    assert any("CAN_MANAGE_RUN → CAN_VIEW" in f["text"] for f in findings(reviewed, "permission-narrowing", "narrowing"))


def test_policy_loosening_shows_the_cost_ceiling(reviewed):
    found = findings(reviewed, "policy-loosening", "broadening")
    medium = [f for f in found if "-medium`" in f["text"]]
    assert {f["env"] for f in medium} == {"dev", "staging", "prod"}
    # 8 x 2.0 (i4i.2xlarge) before; 32 x 2.74 (m6id.4xlarge) after, from config/standards.yaml.
    assert all(f["note"] == "ceiling 16 DBU/h → 87.68 DBU/h" for f in medium)
    assert any("maximum workers 8 → 32" in f["text"] for f in medium)


def test_deleted_prod_pilot_is_destructive_and_calls_out_protection(reviewed):
    prod = [f for f in findings(reviewed, "deleted-prod-pilot", "destructive") if f["env"] == "prod"]
    assert len(prod) == 1 and "disappears" in prod[0]["text"]
    assert (prod[0]["rule"], prod[0]["severity"], prod[0]["blocks_by_default"]) == ("PFR052", "critical", True)
    assert "protected environment `prod`" in prod[0]["note"]
    # The stack's prevent_destroy goes with its removed configuration: Terraform does not refuse.
    assert "makes apply refuse" not in prod[0]["note"] and "Terraform does not refuse" in prod[0]["note"]
    assert "keep running unmanaged" in prod[0]["note"]
    dev = [f for f in findings(reviewed, "deleted-prod-pilot", "destructive") if f["env"] == "dev"]
    assert dev and not any(f["blocks_by_default"] for f in dev)


def test_cutover_reads_as_a_sentence(reviewed):
    [first, *_] = findings(reviewed, "cutover", "release")
    assert first["env"] == "prod" and " switches from " in first["text"] and "canary" not in first["text"]


def test_huge_diff_is_truncated_with_counts_and_points_to_the_json(reviewed):
    _, markdown, as_json = reviewed("huge-diff")
    assert "**Truncated**" in markdown and "The full review is in the JSON" in markdown
    assert as_json["summary"]["changes"] == sum(len(s["changes"]) for s in as_json["stacks"])


def test_review_of_a_committed_head_leaves_the_working_tree_alone(repo: Path):
    cutover(repo)
    git(repo, "commit", "-qam", "cutover")
    (repo / "catalog" / "pilots" / "scratch-note.txt").write_text("uncommitted\n")
    status = git(repo, "status", "--porcelain")
    worktrees = git(repo, "worktree", "list")
    result = review(repo, "--base", "main~1", "--head", "main", "--format", "json", "--fail-on", "never")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["summary"]["release"] >= 1
    assert git(repo, "status", "--porcelain") == status and git(repo, "worktree", "list") == worktrees


# ---- --fail-on: the exit status CI relies on --------------------------------------------------

EXPECTED_STATUS = {
    # scenario: {fail-on value: status}
    "permission-broadening": {"broadening": 1, "destructive": 1, "any": 1, "never": 0},
    # destroying in a protected environment fails under the default
    "deleted-prod-pilot": {"broadening": 1, "destructive": 1, "any": 1, "never": 0},
    "gate-change": {"broadening": 0, "destructive": 1, "any": 1, "never": 0},
    "permission-narrowing": {"broadening": 0, "destructive": 0, "any": 1, "never": 0},
    "unchanged": {"broadening": 0, "destructive": 0, "any": 0, "never": 0},
}


@pytest.mark.parametrize("case", sorted(EXPECTED_STATUS))
def test_fail_on_sets_the_exit_status(case: str, reviewed):
    root = reviewed(case)[0]   # stacks cached by the first review: each run below reuses them
    for fail_on, status in EXPECTED_STATUS[case].items():
        result = review(root, "--base", "main", "--fail-on", fail_on, "--format", "json")
        assert result.exit_code == status, (fail_on, result.output)
        verdict = json.loads(result.stdout)["exit"]
        assert (verdict["fail_on"], verdict["status"]) == (fail_on, status)


def test_an_unknown_ref_is_a_clear_error_not_a_review(repo: Path):
    result = review(repo, "--base", "no-such-branch")
    assert result.exit_code == 2
    assert "`no-such-branch` is not a commit" in result.output


def test_a_broken_head_pilot_is_reviewed_as_withheld_and_blocks(repo: Path):
    """Blast radius (issue 13): the pilot this change broke blocks the review, located; the rest
    is still reviewed, and its stacks read as kept, never as destroyed."""
    path = pilots(repo, "pilot")[0]
    path.write_text(path.read_text().replace("phase: pilot", "phase: pilto"))
    result = review(repo, "--base", "main", "--format", "json")
    assert result.exit_code == 1, result.output
    assert f"catalog/pilots/{path.name}:" in result.output and "error[PF" in result.output
    data = json.loads(result.output[result.output.index("{"):])
    withheld = [f for f in data["findings"] if f.get("rule") == "PFR004"]
    assert withheld and all(f["kind"] == "governance" for f in withheld)
    assert not [f for f in data["findings"] if f.get("rule") == "PFR052"]  # no stack reads as removed


def test_a_broken_shared_config_is_no_review(repo: Path):
    path = repo / "config" / "gates.yaml"
    path.write_text(path.read_text().replace("min_value_score: 3", "min_value_score: lots"))
    result = review(repo, "--base", "main")
    assert result.exit_code == 2
    assert "config/gates.yaml:" in result.output and "error[PF" in result.output


def resign(path: Path) -> None:
    """Re-bind the pilot's approvals to its edited content, so only the edit itself is reviewed."""
    checked = check(path.parent.parent.parent)
    typed = next(t for t in checked.resolution.pilots if t.file == f"catalog/pilots/{path.name}")
    edit(path, lambda d: [a.__setitem__("digest", approval_digest(checked.catalog, typed.pilot, a["gate"]))
                          for a in d.get("approvals") or [] if "digest" in a])


def test_a_removed_task_dependency_is_flagged_in_catalog_mode(repo: Path):
    """`depends_on` inside a job task is data, not Terraform's meta-argument (issue 12, item 1)."""
    path = next(p for p in pilots(repo, "pilot")
                if any(t.get("depends_on") for j in _yaml().load(p.read_text()).get("jobs") or []
                       for t in j.get("tasks") or []))
    dropped = []

    def change(d):
        task = next(t for j in d["jobs"] for t in j["tasks"] if t.get("depends_on"))
        dropped.append((task["key"], task["depends_on"][0]))
        del task["depends_on"]
    edit(path, change)
    resign(path)
    result = review(repo, "--base", "main", "--format", "json")
    data = json.loads(result.stdout)
    assert result.exit_code == 1, result.output
    [(task, on)] = dropped
    found = [f for f in data["findings"] if f["rule"] == "PFR024"]
    assert found and all(f"`{task}` no longer waits for `{on}`" in f["text"] for f in found)


def test_governance_changes_come_first_and_fail_by_default(repo: Path):
    """Fewer production approvals and a new approver are who-may-approve changes (issue 12, item 3)."""
    edit(repo / "config" / "gates.yaml",
         lambda d: d["exits"]["production"].__setitem__("approvals", d["exits"]["production"]["approvals"][:1]))

    def join(d):
        group = next(g for g in d["groups"] if g == d["roles"][next(iter(d["roles"]))])
        d["groups"][group]["members"].append("mallory@bank.example")
    edit(repo / "config" / "roles.yaml", join)
    result = review(repo, "--base", "main")
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert "governance change" in lines[2] and "PFR001" in lines[2] and "PFR002" in lines[2]
    first_row = lines[lines.index("|---|---|---|---|---|") + 1]
    assert first_row.startswith("| 🏛 governance | PFR001 critical") and "**weaker**" in first_row
    assert "`config/gates.yaml:" in first_row
    assert any("**mallory@bank.example** joins" in line and "config/roles.yaml:" in line for line in lines)


def test_a_codeowners_change_is_a_governance_finding(repo: Path):
    (repo / ".github").mkdir()
    owners = repo / ".github" / "CODEOWNERS"
    owners.write_text("/config/ @bank/platform-admins @bank/security-review\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "owners")
    owners.write_text("/config/ @bank/platform-admins\n")
    result = review(repo, "--base", "main", "--format", "json")
    assert result.exit_code == 1, result.output
    [found] = json.loads(result.stdout)["findings"]
    assert (found["kind"], found["rule"], found["source"]) == ("governance", "PFR003", ".github/CODEOWNERS:1")
    assert "@bank/security-review" in found["text"]


def test_stale_approvals_still_give_the_whole_review_with_a_banner(repo: Path):
    """A head whose approvals went stale is reviewed, not refused (issue 12, item 7)."""
    path = pilots(repo, "production")[0]
    edit(path, lambda d: d.__setitem__("description", d["description"] + " Now also for branches."))
    for fmt in ("markdown", "json"):
        result = review(repo, "--base", "main", "--format", fmt, "--fail-on", "never")
        assert result.exit_code == 1, result.output   # errors fail whatever --fail-on says
        assert "internal error" not in result.output
    data = json.loads(result.stdout)
    assert data["withheld"] and all(w["pilot"] == path.stem for w in data["withheld"])
    assert any(w["missing_sign_offs"] for w in data["withheld"])
    assert any("is stale" in s for w in data["withheld"] for s in w["missing_sign_offs"])
    markdown = review(repo, "--base", "main", "--fail-on", "never").stdout
    banner = markdown.split("\n\n")[1]
    assert banner.startswith("> ⛔ stack `") and "would be withheld" in banner and "Missing sign-offs" in banner
    # the withheld stack is not reported as destroyed
    assert not [f for f in data["findings"] if f["kind"] == "destructive"]
    assert "cannot be deployed" in data["exit"]["reason"]


def test_tracked_symlinks_never_end_the_review(repo: Path):
    """Links in either ref, even to outside the repository, are left out and said so."""
    (repo / "outside").symlink_to("/etc")
    (repo / "catalog" / "up").symlink_to("../../..")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "links")
    permission_narrowing(repo)
    git(repo, "commit", "-qam", "narrow")
    result = review(repo, "--base", "main~1", "--head", "main", "--format", "json", "--fail-on", "never")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["summary"]["narrowing"] >= 1
    assert any("`outside`" in line and "`catalog/up`" in line for line in data["banner"])
