"""checkov custom checks: the Pilot Factory guardrail rules (PFG...), one checkov check per rule.

    checkov -d cdktf.out --framework terraform_json --external-checks-dir policies --skip-download

The rule functions are imported from pilotfactory.guardrails, never copied: one rule set. Platform
standards come from config/ of the repository root, `PILOTFACTORY_ROOT` as for the command line
(default: the folder beside this one). checkov hands a check one resource, with
values rewritten into lists; cross-resource rules (a job's owner) need the whole file, so each
check re-reads its file with our own reader and evaluates the resource as written.
"""
from __future__ import annotations

import os
import sys
from functools import lru_cache
from pathlib import Path

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # checkov runs in its own venv; the rules are plain Python from this repo
    sys.path.insert(0, str(REPO))

from pilotfactory.diagnostics.diagnostic import Diagnostics  # noqa: E402
from pilotfactory.guardrails import RULES, load_platform  # noqa: E402
from pilotfactory.guardrails.evaluate import environment_of  # noqa: E402
from pilotfactory.guardrails.registry import RuleContext  # noqa: E402
from pilotfactory.guardrails.terraform import TerraformInputError, TfDocument, TfResource, load_document  # noqa: E402


@lru_cache(maxsize=1)
def _platform():
    diags = Diagnostics()
    root = Path(os.environ.get("PILOTFACTORY_ROOT") or REPO).resolve()
    platform = load_platform(root / "config", diags, display_root=root)
    if platform is None:
        raise RuntimeError("Pilot Factory guardrails cannot read config/:\n"
                           + "\n".join(d.render() for d in diags.sorted()))
    return platform


def _roots() -> list[Path]:
    """Folders checkov was pointed at (-d/--directory), then the working folder."""
    roots, args = [], sys.argv[1:]
    for i, arg in enumerate(args):
        if arg in ("-d", "--directory") and i + 1 < len(args):
            roots.append(Path(args[i + 1]))
        elif arg.startswith("--directory="):
            roots.append(Path(arg.split("=", 1)[1]))
    return roots + [Path.cwd()]


@lru_cache(maxsize=None)
def _document(scanned_file: str) -> TfDocument | None:
    for root in _roots():
        path = root / scanned_file.lstrip("/\\")
        if path.is_file():
            try:
                return load_document(path, scanned_file)
            except TerraformInputError:
                return None
    return None


def _plain(value):
    """Undo checkov's list wrapping, for a resource whose file could not be found again."""
    if isinstance(value, list) and len(value) == 1 and not isinstance(value[0], dict):
        return value[0]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if not k.startswith("__")}
    return value


class GuardrailCheck(BaseResourceCheck):
    def __init__(self, rule_id: str):
        self.rule = RULES[rule_id]
        super().__init__(name=f"{self.rule.title}: {self.rule.rationale}", id=rule_id,
                         categories=[CheckCategories.GENERAL_SECURITY],
                         supported_resources=list(self.rule.resource_types))

    def scan_resource_conf(self, conf):
        scanned_file, rtype, name = self.entity_path.rsplit(":", 2)
        document = _document(scanned_file)
        resource = document.by_address().get(f"{rtype}.{name}") if document else None
        if resource is None:
            plain = _plain(conf)
            meta = plain.pop("//", {}) if isinstance(plain.get("//"), dict) else {}
            lifecycle = plain.pop("lifecycle", {})
            resource = TfResource(type=rtype, name=name, address=f"{rtype}.{name}", values=plain,
                                  file=scanned_file, lifecycle=lifecycle if isinstance(lifecycle, dict) else {},
                                  construct_path=(meta.get("metadata") or {}).get("path"))
            document = TfDocument(scanned_file, "configuration", [resource])
        platform = _platform()
        ctx = RuleContext(platform, environment_of(resource, document, platform), document)
        findings = list(self.rule.run(resource, ctx))
        self.details.extend(f"{resource.address} {f.message}" for f in findings)
        return CheckResult.FAILED if findings else CheckResult.PASSED


for _rule_id in sorted(RULES):
    GuardrailCheck(_rule_id)  # constructing a check registers it with checkov
