"""`pilotfactory evidence`: a byte-identical pack from the same inputs, and --verify catches any
altered, added or missing member."""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import subprocess
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from pilotfactory.cli.app import cli
from pilotfactory.governance.evidence_pack import listing_sha256, verify_archive

from tests.conftest import ESTATE

PILOT, ENV = "kyc-document-triage", "staging"


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture(scope="module")
def pack(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("evidence") / "kyc.tar.gz"
    result = run("evidence", PILOT, "--env", ENV, "--out", str(out), "--root", str(ESTATE))
    assert result.exit_code == 0, result.output
    return out


def members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path, "r:gz") as tar:
        return {i.name: tar.extractfile(i).read() for i in tar}


def repack(path: Path, out: Path, change) -> Path:
    """The archive with `change(members)` applied, packed the ordinary (non-deterministic) way."""
    items = members(path)
    change(items)
    with tarfile.open(out, "w:gz") as tar:
        for name, data in items.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out


def test_the_pack_holds_what_an_auditor_needs(pack):
    names = set(members(pack))
    assert {
        "manifest.json", f"catalog/pilots/{PILOT}.yaml", "catalog/templates/agentic-workflow/template.yaml",
        "config/environments.yaml", "config/standards.yaml", "config/roles.yaml", "config/gates.yaml",
        f"stacks/{PILOT}-{ENV}/cdk.tf.json", "reports/gates.json", "config/controls.yaml", "reports/controls.json",
        f"evidence/{PILOT}/v1.4.0/junit.xml", f"evidence/{PILOT}/v1.5.0/junit.xml",
        f"docs/{PILOT}/runbook.md", f"docs/{PILOT}/security-review.md",
    } <= names
    stack = json.loads(members(pack)[f"stacks/{PILOT}-{ENV}/cdk.tf.json"])
    assert stack["//"]["metadata"]["stackName"] == f"{PILOT}-{ENV}"
    report = json.loads(members(pack)["reports/gates.json"])
    assert [p["pilot"] for p in report["gates"]["pilots"]] == [PILOT]
    controls = json.loads(members(pack)["reports/controls.json"])
    assert controls["pilot"] == PILOT and controls["controls"]
    # the packed stack's guardrail results are evidence, evaluated here, not left for the auditor
    assert all(g["evaluated"] and "passed" in g for c in controls["controls"] for g in c["guardrails"])
    assert members(pack)[f"catalog/pilots/{PILOT}.yaml"] == (ESTATE / "catalog" / "pilots" / f"{PILOT}.yaml").read_bytes()


def test_the_manifest_pins_each_member_and_the_whole(pack):
    items = members(pack)
    manifest = json.loads(items.pop("manifest.json"))
    assert manifest["pilot"] == PILOT and manifest["env"] == ENV
    assert manifest["members"] == {n: hashlib.sha256(d).hexdigest() for n, d in items.items()}
    listing = "".join(f"{h}  {n}\n" for n, h in sorted(manifest["members"].items()))
    assert manifest["sha256"] == hashlib.sha256(listing.encode()).hexdigest() == listing_sha256(manifest["members"])


def test_the_same_inputs_give_a_byte_identical_archive(pack, tmp_path):
    again = tmp_path / "again.tar.gz"
    assert run("evidence", PILOT, "--env", ENV, "--out", str(again), "--root", str(ESTATE)).exit_code == 0
    assert again.read_bytes() == pack.read_bytes()
    with tarfile.open(pack, "r:gz") as tar:
        infos = tar.getmembers()
    assert [i.name for i in infos][1:] == sorted(i.name for i in infos[1:])
    assert {(i.mtime, i.uid, i.gid, i.mode, i.uname, i.gname) for i in infos} == {(0, 0, 0, 0o644, "", "")}
    assert pack.read_bytes()[4:8] == b"\0\0\0\0"  # gzip header mtime


def test_verify_accepts_an_untouched_pack(pack):
    result = run("evidence", "--verify", str(pack))
    assert result.exit_code == 0, result.output
    manifest = json.loads(members(pack)["manifest.json"])
    assert result.stdout == f"{pack}: {len(manifest['members'])} members match the manifest; sha256:{manifest['sha256']}\n"


@pytest.mark.parametrize("change, expected", [
    (lambda m: m.__setitem__(f"stacks/{PILOT}-{ENV}/cdk.tf.json", b"{}"), f"altered: stacks/{PILOT}-{ENV}/cdk.tf.json"),
    (lambda m: m.__setitem__("evidence/extra.xml", b"<x/>"), "added: evidence/extra.xml"),
    (lambda m: m.pop(f"evidence/{PILOT}/v1.5.0/junit.xml"), f"missing: evidence/{PILOT}/v1.5.0/junit.xml"),
    (lambda m: m.pop("manifest.json"), "error: no manifest.json"),
])
def test_verify_detects_a_tampered_archive(pack, tmp_path, change, expected):
    tampered = repack(pack, tmp_path / "tampered.tar.gz", change)
    result = run("evidence", "--verify", str(tampered))
    assert result.exit_code == 1
    assert expected in result.stderr
    assert "does NOT match its manifest" in result.stderr


def test_verify_detects_a_manifest_edited_to_hide_a_change(pack, tmp_path):
    def edit(m):
        manifest = json.loads(m["manifest.json"])
        m[f"catalog/pilots/{PILOT}.yaml"] += b"# changed\n"
        manifest["members"][f"catalog/pilots/{PILOT}.yaml"] = hashlib.sha256(m[f"catalog/pilots/{PILOT}.yaml"]).hexdigest()
        m["manifest.json"] = json.dumps(manifest).encode()
    result = verify_archive(repack(pack, tmp_path / "t.tar.gz", edit))
    assert not result.ok
    assert result.problems == ["manifest.json: the whole's sha256 does not match its member list"]


def test_verify_rejects_a_file_that_is_not_a_pack(tmp_path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(gzip.compress(b"not a tar"))
    result = run("evidence", "--verify", str(junk))
    assert result.exit_code == 1
    assert "error: not a readable tar.gz" in result.stderr


def test_evidence_for_an_environment_the_pilot_does_not_reach(tmp_path):
    result = run("evidence", "card-fraud-scoring", "--env", "prod", "--out", str(tmp_path / "x.tar.gz"),
                 "--root", str(ESTATE))
    assert result.exit_code == 2
    assert "pilot `card-fraud-scoring` has no stack in `prod`" in result.output
    assert not (tmp_path / "x.tar.gz").exists()


def test_evidence_needs_pilot_env_and_out():
    result = run("evidence", PILOT)
    assert result.exit_code == 2
    assert "missing --env, --out" in result.output


def test_the_review_against_a_base_ref_is_packed(repo_copy, tmp_path):
    def git(*args):
        subprocess.run(["git", "-C", str(repo_copy), "-c", "user.name=t", "-c", "user.email=t@bank.example",
                        "-c", "commit.gpgsign=false", *args], check=True, capture_output=True)

    git("init", "-q")
    git("add", ".")
    git("commit", "-q", "-m", "base")
    pilot = repo_copy / "catalog" / "pilots" / f"{PILOT}.yaml"
    pilot.write_text(pilot.read_text().replace("canary: {prod: {slot: green, percent: 10}}", "canary: {prod: {slot: green, percent: 10}, staging: {slot: blue, percent: 25}}"))
    other = repo_copy / "catalog" / "pilots" / "aml-alert-triage.yaml"  # changed too, yet not this pack's news
    other.write_text(other.read_text().replace("timeout_seconds: 1800", "timeout_seconds: 1900", 1))
    out = tmp_path / "review.tar.gz"
    result = run("evidence", PILOT, "--env", ENV, "--out", str(out), "--base", "HEAD", "--root", str(repo_copy))
    assert result.exit_code == 0, result.output
    # The pull-request review, narrowed to this pilot's stack in this environment.
    packed = members(out)
    review = packed["review/review.md"].decode()
    assert review.startswith("### Pilot Factory review — `HEAD` → `working tree`")
    assert f"endpoint {PILOT}-{ENV}: traffic blue 0% -> 25%, green 100% -> 75%" in review
    assert "| config.traffic_config.routes[green].traffic_percentage | 100 | 75 |" in review
    as_json = json.loads(packed["review/review.json"])
    assert {s["stack"] for s in as_json["stacks"]} == {f"{PILOT}-{ENV}"}
    assert json.loads(packed["manifest.json"])["base"] == "HEAD"

    bad = run("evidence", PILOT, "--env", ENV, "--out", str(tmp_path / "b.tar.gz"),
              "--base", "no-such-ref", "--root", str(repo_copy))
    assert bad.exit_code == 1
    assert "`no-such-ref` is not a commit" in str(bad.exception)


def append_members(path: Path, out: Path, extra: list[tarfile.TarInfo], data: dict[str, bytes]) -> Path:
    """The archive's members as they are, then `extra` ones (regular files read from `data`)."""
    with tarfile.open(path, "r:gz") as src, tarfile.open(out, "w:gz") as tar:
        for info in src:
            tar.addfile(info, src.extractfile(info))
        for info in extra:
            tar.addfile(info, io.BytesIO(data[info.name]) if info.isfile() else None)
    return out


def regular(name: str, data: bytes) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info


def link(name: str, kind: bytes, target: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info


TRIAGE = f"catalog/pilots/{PILOT}.yaml"


@pytest.mark.parametrize("extra, data, says", [
    ([regular(TRIAGE, b"phase: production\n")], {TRIAGE: b"phase: production\n"}, f"{TRIAGE} appears twice"),
    ([regular("manifest.json", b"{}")], {"manifest.json": b"{}"}, "manifest.json appears twice"),
    ([link("evidence/passwd", tarfile.SYMTYPE, "/etc/passwd")], {}, "added: evidence/passwd (not a regular file)"),
    ([link("evidence/copy.yaml", tarfile.LNKTYPE, TRIAGE)], {}, "added: evidence/copy.yaml (not a regular file)"),
], ids=["duplicate-member", "duplicate-manifest", "symlink", "hardlink"])
def test_verify_reports_duplicate_and_link_members(pack, tmp_path, extra, data, says):
    tampered = append_members(pack, tmp_path / "tampered.tar.gz", extra, data)
    result = run("evidence", "--verify", str(tampered))
    assert result.exit_code == 1, result.output
    assert says in result.stderr and "does NOT match its manifest" in result.stderr, result.stderr
