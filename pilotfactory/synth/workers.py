"""Synthesize a set of stacks across worker processes, each with its own jsii runtime.

jsii never frees an object of its Node.js runtime, so a process's memory grows with every stack it
defines: each worker builds one bounded batch of stacks in a fresh App and a fresh process, and
exits. The batches' outputs are merged into what one `App.synth()` of all of them writes (each
batch defines the stacks its stacks depend on as empty placeholders, so every manifest entry names
its dependencies as a single App would; the merged manifest is written the way cdktf writes it).
"""
from __future__ import annotations

import dataclasses
import json
import math
import os
import pickle
import shutil
import signal
import subprocess
import sys
import threading
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Callable, Collection, Sequence

from pilotfactory.diagnostics.diagnostic import PilotFactoryError
from pilotfactory.catalog.resolved import ResolvedCatalog
from pilotfactory.synth.manifest import write_manifest
from pilotfactory.tfjson.stacknames import stack_names

__all__ = ["MAX_BATCH", "MIN_BATCH", "usable_cores", "batches", "build_stacks", "WorkerFailed"]

# Stacks per worker process: the most bounds a worker's memory (jsii never frees what a stack
# defined); the least keeps a small build in one process, where starting another jsii runtime
# (about 0.5 s of CPU since stacks are built in Python, against about 16 ms a stack) would cost
# more than it saves.
MAX_BATCH = 200
MIN_BATCH = 20
_CODE_ROOT = Path(__file__).resolve().parents[2]   # the running code, which the workers run too
_COMMAND = (sys.executable, "-m", "pilotfactory.synth.worker")


class WorkerFailed(PilotFactoryError):
    """A worker process died or failed in a way that is not a located catalog error."""


def usable_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def batches(names: Sequence[str], jobs: int, max_batch: int = MAX_BATCH,
            min_batch: int = MIN_BATCH) -> list[list[str]]:
    """`names` in order, cut into contiguous batches: enough that none exceeds `max_batch`, at
    least `jobs` when each still gets `min_batch` stacks, as equal as can be."""
    if not names:
        return []
    count = max(math.ceil(len(names) / max_batch), min(jobs, len(names) // max(min_batch, 1)), 1)
    size, extra = divmod(len(names), count)
    out, start = [], 0
    for i in range(count):
        end = start + size + (i < extra)
        out.append(list(names[start:end]))
        start = end
    return out


def build_stacks(catalog: ResolvedCatalog, outdir: Path, engine: str, only: Collection[str] | None = None,
                 jobs: int | None = None, on_stack: Callable[[str], None] | None = None,
                 max_batch: int | None = None, min_batch: int | None = None) -> None:
    """Write into the empty folder `outdir` what `build_app(catalog, only=only).synth()` writes,
    with `jobs` processes at a time (None: the usable cores; 1 or a single batch: in this process;
    batch sizes: `batches`, MAX_BATCH and MIN_BATCH when not given).
    A failed batch stops the others and raises; `outdir` is then the caller's to remove."""
    jobs = usable_cores() if jobs is None else jobs
    wanted = set(only) if only is not None else None
    every = _all_stacks(catalog)
    ordered = [n for n in every if wanted is None or n in wanted]
    pilots = {rp.stack_id for rp in catalog.pilots}
    parts = batches([n for n in ordered if n in pilots], jobs, max_batch or MAX_BATCH, min_batch or MIN_BATCH) \
        if jobs > 1 else []
    shared = [n for n in ordered if n not in pilots]
    # The account stack grows with the catalog (a group per role, an assignment per workspace):
    # with the platform stacks it is a batch of its own, so no worker holds it and a full batch.
    parts = ([shared] if shared else []) + parts if len(parts) > 1 else [ordered]
    if len(parts) <= 1:
        from stacks.app import build_app  # the CDK loads only when something is synthesized

        build_app(catalog, str(outdir), engine, on_stack=on_stack, only=only).synth()
        return
    if len(set(every)) != len(every):  # a batch sees only its own pilots: refuse colliding ids here
        from stacks.app import stack_names as refuse_collisions

        refuse_collisions(catalog)
    outdir.mkdir(parents=True, exist_ok=True)
    folders = [outdir / f".batch-{i}" for i in range(len(parts))]
    _run(catalog, engine, parts, folders, jobs, on_stack)
    entries: dict[str, dict] = {}
    version = ""
    (outdir / "stacks").mkdir(exist_ok=True)
    for part, folder in zip(parts, folders):
        built = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        version = version or built["version"]
        for name in part:
            os.replace(folder / "stacks" / name, outdir / "stacks" / name)
            entries[name] = built["stacks"][name]
        shutil.rmtree(folder)
    write_manifest(outdir / "manifest.json", entries, version)


def _all_stacks(catalog: ResolvedCatalog) -> list[str]:
    return stack_names(catalog.environments.environments, (rp.stack_id for rp in catalog.pilots))


def _batch_catalog(catalog: ResolvedCatalog, part: Collection[str]) -> ResolvedCatalog:
    """What a batch needs: the config, and only its own pilots (without their source positions,
    which only the guardrail check in this process reads)."""
    pilots = tuple(dataclasses.replace(rp, source=None) for rp in catalog.pilots if rp.stack_id in part)
    return dataclasses.replace(catalog, pilots=pilots, config_sources={})


def _run(catalog: ResolvedCatalog, engine: str, parts: list[list[str]], folders: list[Path], jobs: int,
         on_stack: Callable[[str], None] | None) -> None:
    stop = threading.Event()
    running: dict[int, subprocess.Popen] = {}
    lock = threading.Lock()

    def one(i: int) -> int:
        with lock:
            if stop.is_set():
                return i
            proc = subprocess.Popen(
                _COMMAND, stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_worker_env(),
                start_new_session=True)  # its own group: stopping it stops its Node.js runtime too
            running[i] = proc
        request = {"catalog": _batch_catalog(catalog, parts[i]), "engine": engine, "only": parts[i],
                   "outdir": str(folders[i])}
        out, err = proc.communicate(pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL))
        with lock:
            running.pop(i, None)
        if stop.is_set():
            return i
        _raise_failure(proc.returncode, out, err, parts[i])
        return i

    pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="synth-worker")
    futures = [pool.submit(one, i) for i in range(len(parts))]
    try:
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_EXCEPTION)
            for future in done:
                i = future.result()   # raises the batch's error
                if on_stack and not stop.is_set():
                    for name in parts[i]:
                        on_stack(name)
    except BaseException:
        stop.set()
        for future in futures:
            future.cancel()
        with lock:
            for proc in running.values():
                _kill(proc)
        raise
    finally:
        pool.shutdown(wait=True)


def _raise_failure(status: int, out: bytes, err: bytes, part: list[str]) -> None:
    try:
        reply = pickle.loads(out) if out else None
    except Exception:  # a worker that died mid-write: its status says why
        reply = None
    if status == 0 and isinstance(reply, dict) and reply.get("ok"):
        return
    if isinstance(reply, dict) and isinstance(reply.get("error"), PilotFactoryError):
        raise reply["error"]
    what = f"{part[0]}" + (f" … {part[-1]} ({len(part)} stacks)" if len(part) > 1 else "")
    detail = reply.get("traceback") if isinstance(reply, dict) else None
    tail = (detail or err.decode(errors="replace")).strip().splitlines()[-20:]
    reason = f"exit status {status}" if status >= 0 else f"killed by signal {-status}"
    raise WorkerFailed(f"synth worker for {what} failed ({reason}); nothing was written"
                       + ("\n" + "\n".join(tail) if tail else ""))


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _worker_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_CODE_ROOT), env.get("PYTHONPATH")) if p)
    return env
