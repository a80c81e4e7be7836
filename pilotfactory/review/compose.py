"""A whole review, from two catalogs (git refs or the working tree) or from Terraform plans."""
from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path
from typing import Collection, Mapping, Sequence

from pilotfactory.catalog.load import load_catalog
from pilotfactory.diagnostics.diagnostic import Diagnostics, Severity
from pilotfactory.synth.cache import StackCache
from pilotfactory.diagnostics.codes import Code
from pilotfactory.review.changes import Finding, Review, StackRef
from pilotfactory.review.classify import build_review
from pilotfactory.review.diff import diff_stacks, prevents_destroy, stack_ref
from pilotfactory.review.gatediff import gate_findings
from pilotfactory.review.governance import evidence_findings, governance_findings
from pilotfactory.review.waivers import apply_waivers, load_waivers
from pilotfactory.gates import clock
from pilotfactory.gates.evidence import latest
from pilotfactory.gates.stack_windows import stack_window
from pilotfactory.catalog.model.pilot import OutcomeDecision
from pilotfactory.review.plan import load_plan, plan_changes, plan_stacks
from pilotfactory.review.releases import change_record_findings, release_findings
from pilotfactory.files.content_cache import ContentCache
from pilotfactory.review.source import Side, Stacks, Tree, export_ref, load_sides
from pilotfactory.tfjson.stacknames import ACCOUNT, BASE_OUT, PLATFORM

__all__ = ["review_refs", "review_plans", "plan_stack_name"]


def _protection(*sides: Side) -> dict[str, bool]:
    out: dict[str, bool] = {}
    for side in sides:
        if side.checked is None:
            continue
        envs = side.checked.catalog.environments
        for name, env in (envs.environments.items() if envs else ()):
            out[name] = out.get(name, False) or env.protected
    return out


def _lts(catalog) -> tuple[str, ...]:
    standards = catalog.standards if catalog is not None else None
    return tuple(standards.spark_versions) if standards else ()


def _rates(catalog) -> dict[str, float]:
    standards = catalog.standards if catalog is not None else None
    return {name: n.dbu_per_hour for name, n in standards.node_types.items()} if standards else {}


def _libraries(catalog) -> dict[str, tuple[str, ...]]:
    """Environment -> its vetted library places: the artifacts volume and the standards' JARs."""
    if catalog is None or catalog.environments is None:
        return {}
    standards = catalog.standards
    jars = tuple(standards.libraries.jar) if standards is not None and standards.libraries is not None else ()
    return {name: (env.artifacts, *jars) for name, env in catalog.environments.environments.items()}


def _withheld(side: Side) -> list[dict]:
    """Stacks the gates keep from being built on this side, each with why and the sign-offs it lacks."""
    checked = side.checked
    if checked is None or checked.gates is None or checked.ok:
        return []
    declared = checked.resolution.declared or checked.resolution.catalog
    out = []
    for result in checked.gates.pilots:
        if result.ok:
            continue
        failing = [c for g in result.gates for c in g.criteria if not c.passed]
        for rp in declared.pilots if declared else ():
            if rp.name == result.pilot and rp.env_name in result.unearned_environments:
                out.append({"stack": rp.stack_id, "pilot": rp.name, "env": rp.env_name,
                            "reasons": [f"{c.reason} ({c.where.file}:{c.where.line})" for c in failing
                                        if not c.name.startswith("approval:")],
                            "missing_sign_offs": [f"{c.reason} ({c.where.file}:{c.where.line})"
                                                  for c in failing if c.name.startswith("approval:")]})
    return out


def _banner(base: Side, head: Side, withheld: list[dict]) -> list[str]:
    lines = []
    for w in withheld:
        why = "; ".join(w["reasons"]) or "its gate fails"
        line = (f"⛔ stack `{w['stack']}` would be withheld: synth does not build it until `{w['pilot']}` "
                f"earns its phase ({why})")
        if w["missing_sign_offs"]:
            line += f". Missing sign-offs: {'; '.join(w['missing_sign_offs'])}"
        lines.append(line + ". Its live resources stay as the base left them; this review leaves it out.")
    for side in (base, head):
        if side.skipped_links:
            shown = ", ".join(f"`{p}`" for p in side.skipped_links[:10])
            more = f" and {len(side.skipped_links) - 10} more" if len(side.skipped_links) > 10 else ""
            lines.append(f"🔗 tracked symlinks at {side.label} were left out of the review (a link may point "
                         f"outside the repository): {shown}{more}")
    return lines


def _broken_findings(base: Side, head: Side, ref) -> list[Finding]:
    """Stacks head withholds for its pilots' own errors (not gates: the banner covers those). Head
    keeps synth's previous copy, so nothing is destroyed; blocking when this change broke a stack
    base built, informational when base withheld it too."""
    out = []
    for name, w in sorted(head.withheld.items()):
        if w.kind == "gates":
            continue
        newly = name in base.stacks and name not in base.withheld
        out.append(Finding("governance" if newly else "gate", ref(name), f"withheld, not built: {w.reason}",
                           rule="PFR004" if newly else "PFR071", source=w.file))
    return out


def _aging(head: Side) -> list[str]:
    """Head's evidence that ages out soon, or has (gates.yaml `evidence_warning_days`): said ahead of time."""
    if head.checked is None:
        return []
    return [f"⏳ {d.render()}" for d in head.checked.diagnostics.sorted()
            if d.severity is Severity.WARNING and d.code == Code.EVIDENCE_AGING]


def _new_errors(base: Side, head: Side) -> int:
    """Head's errors in files where base has none: what this change broke, not what it inherited."""
    if head.checked is None:
        return 0
    before = {d.location.file for d in base.checked.diagnostics.errors if d.location} if base.checked else set()
    return sum(1 for d in head.checked.diagnostics.errors if not (d.location and d.location.file in before))


def compare_sides(base: Side, head: Side, stacks: Collection[str] | None = None) -> Review:
    """The review of head against base; `stacks` narrows it to those stacks (and their pilots' gates).

    A stack the head withholds (its pilot's gate fails) is left out on both sides: it is not built,
    so nothing of it would be destroyed; the banner says so instead.
    """
    withheld = _withheld(head)
    broken = _broken_findings(base, head, lambda name: stack_ref(name, _protection(head, base)))
    gone = {w["stack"] for w in withheld} | set(head.withheld)
    if gone:
        base, head = (dataclasses.replace(side, stacks=_keep(side.stacks, lambda n: n not in gone))
                      for side in (base, head))
    if stacks is not None:
        base, head = (dataclasses.replace(side, stacks=_keep(side.stacks, lambda n: n in stacks))
                      for side in (base, head))
    envs = _protection(head, base)
    ref = lambda name: stack_ref(name, envs)  # noqa: E731
    # A stack both sides have under one key is the same document: nothing of it is read or compared.
    old, new = (_differing(side.stacks, other.stacks) for side, other in ((base, head), (head, base)))
    changes = diff_stacks(_ordered(old, envs), _ordered(new, envs), ref)
    releases = []
    for name in new:
        if name not in old or old[name] == new[name]:   # nothing of it moves
            continue
        moved = release_findings(ref(name), old[name], new[name])
        releases += moved
        if moved and ref(name).env is not None and ref(name).pilot not in (PLATFORM, ACCOUNT):
            releases += change_record_findings(ref(name), _change_record(base, ref(name)),
                                               _change_record(head, ref(name)), _change_source(head, ref(name)))
    gates = gate_findings(_gates(base), _gates(head)) if base.checked and head.checked else []
    governance = governance_findings(base.root, head.root, _approvers(base) | _approvers(head))
    governance += evidence_findings(_pilot_sources(base), _pilot_sources(head))
    governance += broken
    if stacks is not None:
        pilots = {ref(name).pilot for name in stacks}
        gates = [g for g in gates if g.stack.pilot in pilots]
    review = build_review(
        base.label, head.label, changes,
        rates=_rates(_catalog(head)) or _rates(_catalog(base)),
        lts=_lts(_catalog(head)) or _lts(_catalog(base)),
        removed_stacks=[s for s in base.stacks if s not in head.stacks],
        releases=releases, gates=gates, governance=governance,
        stacks={n: (old.get(n), new.get(n)) for n in {*old, *new}},
        # the base's places: a change cannot vet its own new library location
        libraries=_libraries(_catalog(base)))
    # waivers come from the base: a pull request cannot waive its own findings
    waivers, problems = load_waivers(base.root)
    review.findings = apply_waivers(review.findings, waivers, clock.today())
    review.withheld = withheld
    review.banner = (_banner(base, head, withheld) + _aging(head) + problems + _decommissions(base, head, envs)
                     + _windows(review, head, base))
    review.errors = _new_errors(base, head)
    return review


def _decommissions(base: Side, head: Side, envs: Mapping[str, bool]) -> list[str]:
    """A pilot the head decommissions: its removed stacks are a deliberate, recorded retirement. The
    destroys are still classified as such (a protected one needs its sign-off); this says why they happen."""
    if head.checked is None:
        return []
    promotion = list(envs)
    out = []
    for typed in head.checked.resolution.pilots:
        record = typed.pilot.decommission
        if record is None:
            continue
        gone = [n for n in base.stacks if n not in head.stacks and stack_ref(n, envs).pilot == typed.pilot.name]
        if not gone:
            continue
        gone.sort(key=lambda n: -(promotion.index(stack_ref(n, envs).env) if stack_ref(n, envs).env in promotion
                                  else len(promotion)))
        found = latest(typed.pilot, OutcomeDecision)
        decision = (f"on {found[1].decided_by}'s `{found[1].decision}` decision of {found[1].date}" if found
                    else "with no outcome decision")
        out.append(f"🗑 deliberate decommission of `{typed.pilot.name}` recorded at "
                   f"{typed.source.where(('decommission',), key=True)} (change {record.ref or 'none'}, "
                   f"{record.date}) {decision}: its stacks are destroyed in this order: "
                   + ", ".join(f"`{n}`" for n in gone)
                   + f". Its file and evidence/{typed.pilot.name}/ stay; each destroy in a protected "
                   "environment still needs its sign-off.")
        out += [line for n in gone if (line := _kept_objects(n, base.stacks[n], envs))]
    return out


def _kept_objects(name: str, stack: Mapping, envs: Mapping[str, bool]) -> str | None:
    """The exact step before a protected stack's destroy: what prevent_destroy guards is evidence (model
    versions, runs, lineage, the scorecard's history), and `terraform plan -destroy` stops on it, so it
    leaves the state first and stays in the workspace, unmanaged."""
    kept = sorted(f"{kind}.{rname}" for kind, resources in (stack.get("resource") or {}).items()
                  for rname, values in resources.items() if prevents_destroy(values))
    if not kept:
        return None
    quoted = " ".join(f"'{a}'" for a in kept)
    return (f"🔒 before `{name}`'s destroy plan, in its directory ({BASE_OUT}/stacks/{name}, the base ref's "
            f"synthesis): `terraform state rm {quoted}`. These carry prevent_destroy (evidence): they stay "
            "in the workspace, no longer managed; deleting them later is a separate reviewed change.")


def _windows(review: Review, *sides: Side) -> list[str]:
    """Each changed protected stack's change window now: deployable, or when its next window opens."""
    envs = next((s.checked.catalog.environments for s in sides
                 if s.checked is not None and s.checked.catalog.environments is not None), None)
    return _window_lines(review, envs)


def _window_lines(review: Review, envs) -> list[str]:
    """The windows banner of `review` under `envs` (None: no environments known, nothing to say)."""
    if envs is None:
        return []
    now = clock.now()
    windows = (stack_window(stack.name, envs, now) for stack in review.stacks if stack.protected)
    return [f"🕒 stack `{w.stack}` is {w.words()}" for w in windows if w is not None]


def _typed_pilot(side: Side, name: str):
    if side.checked is None:
        return None
    return next((t for t in side.checked.resolution.pilots if t.pilot.name == name), None)


def _change_record(side: Side, stack: StackRef):
    """The side's `release.changes.<env>` of the stack's pilot, or None."""
    typed = _typed_pilot(side, stack.pilot)
    return typed.pilot.release.changes.get(stack.env) if typed is not None else None


def _change_source(side: Side, stack: StackRef) -> str | None:
    typed = _typed_pilot(side, stack.pilot)
    if typed is None:
        return None
    return str(typed.source.where(("release", "changes", stack.env)))


def _ordered(stacks: dict[str, dict], envs: Mapping[str, bool]) -> dict[str, dict]:
    """Deploy order: account, platforms, then pilots by name, each in promotion order."""
    promotion = list(envs)

    def key(name: str):
        ref = stack_ref(name, envs)
        group = 0 if name == ACCOUNT else 1 if ref.pilot == PLATFORM else 2
        return group, ref.pilot, promotion.index(ref.env) if ref.env in promotion else len(promotion)
    return {name: stacks[name] for name in sorted(stacks, key=key)}


def _keep(stacks: Mapping[str, dict], wanted) -> Mapping[str, dict]:
    """The stacks `wanted` says to keep, none of them read."""
    return stacks.keep(wanted) if isinstance(stacks, Stacks) else {n: s for n, s in stacks.items() if wanted(n)}


def _differing(stacks: Mapping[str, dict], other: Mapping[str, dict]) -> dict[str, dict]:
    """`stacks` without those `other` is known to have byte for byte: only these are read."""
    same = stacks.same if isinstance(stacks, Stacks) else (lambda _other, _name: False)
    return {name: stacks[name] for name in stacks if not same(other, name)}


def _approvers(side: Side) -> set[str]:
    """The approvers groups of the pilots `side.checked` holds: when it holds only some (load_sides),
    config/roles.yaml is the same on both sides, or every pilot would be there."""
    if side.checked is None:
        return set()
    return {t.pilot.owners.approvers for t in side.checked.resolution.pilots}


def _pilot_sources(side: Side) -> dict:
    """Pilot file -> its parsed source, for the pilots `side.checked` holds (every pilot whose file
    differs between the sides is checked on both: load_sides)."""
    if side.checked is None:
        return {}
    return {t.file: t.source for t in side.checked.resolution.pilots}


def _catalog(side: Side):
    return side.checked.catalog if side.checked else None


def _gates(side: Side):
    return getattr(side.checked, "gates", None)


def review_refs(root: Path, base_ref: str, head_ref: str | None, engine: str,
                cache: StackCache, stacks: Collection[str] | None = None,
                content: ContentCache | None = None) -> Review:
    """Synthesize `base_ref` and `head_ref` (None: the working tree under `root`) and compare them,
    all stacks or only `stacks`; `content`: the repository's content cache, for both sides."""
    with tempfile.TemporaryDirectory(prefix="pilotfactory-review-") as tmp:
        tmp_path = Path(tmp)
        trees = []
        for label, ref in ((base_ref, base_ref), (head_ref or "working tree", head_ref)):
            if ref is None:
                trees.append(Tree(label, root))
                continue
            skipped: list[str] = []
            catalog_root, top = export_ref(root, ref, tmp_path / f"tree{len(trees)}", skipped)
            trees.append(Tree(label, catalog_root, top, tuple(skipped)))
        return compare_sides(*load_sides(trees, engine, cache, tmp_path, content), stacks=stacks)


def plan_stack_name(path: Path) -> str:
    """`plans/kyc-document-triage-prod.json` -> its stem; `.../<stack>/plan.json` -> the folder."""
    stem = path.name.removesuffix(".json").removesuffix(".plan")
    return path.parent.name if stem in ("plan", "tfplan") else stem


def review_plans(root: Path, plans: Sequence[tuple[str, Path]], base: str = "state",
                 head: str = "plan") -> Review:
    """The review of Terraform plans, one per stack; config/ under `root` names protected environments."""
    diags = Diagnostics()
    catalog = load_catalog(root, diags) if (root / "config").is_dir() else None
    envs: Mapping[str, bool] = {}
    if catalog is not None and catalog.environments is not None:
        envs = {n: e.protected for n, e in catalog.environments.environments.items()}
    changes, releases, sides = [], [], {}
    for stack_name, path in plans:
        plan = load_plan(path)
        stack = stack_ref(stack_name, envs)
        changes += plan_changes(plan, stack, str(path))
        before, after = plan_stacks(plan)
        sides[stack.name] = (before, after)
        releases += release_findings(stack, before, after)
    review = build_review(base, head, changes, rates=_rates(catalog), lts=_lts(catalog), releases=releases,
                          stacks=sides, libraries=_libraries(catalog))
    # the same window line as catalog mode: a plan is applied now, under its environment's window
    review.banner = _window_lines(review, catalog.environments if catalog is not None else None)
    return review
