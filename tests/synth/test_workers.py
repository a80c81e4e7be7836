"""Synth across worker processes: the same bytes as one process, the previous output kept when a
worker fails, bounded batches, and `jobs=1` (or a small build) staying in this process."""
from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from pilotfactory.diagnostics.diagnostic import Diagnostics, DiagnosticsError, Location, PilotFactoryError
from pilotfactory.synth import workers
from pilotfactory.synth.build import synthesize, synthesize_estate
from pilotfactory.synth.cache import StackCache
from pilotfactory.synth.worker import _portable
from tests.synth.conftest import tree, valid_catalog


@pytest.fixture
def small_batches(monkeypatch):
    """Batches of at most 3 stacks, however few: a handful of pilots spreads over several workers."""
    monkeypatch.setattr(workers, "MAX_BATCH", 3)
    monkeypatch.setattr(workers, "MIN_BATCH", 1)


@pytest.mark.parametrize("names, jobs, max_batch, min_batch, sizes", [
    ([], 2, 3, 1, []),
    (list("abcdef"), 2, 3, 1, [3, 3]),            # the limit: one batch per job
    (list("abcdefg"), 2, 3, 1, [3, 2, 2]),        # limit + 1: one more batch, sizes as equal as can be
    (list("abc"), 2, 200, 2, [3]),                # too few for two batches of min_batch
    (list("abcd"), 2, 200, 2, [2, 2]),            # just enough
    (list("abcd"), 1, 200, 1, [4]),
])
def test_batches_are_bounded_contiguous_and_even(names, jobs, max_batch, min_batch, sizes):
    parts = workers.batches(names, jobs, max_batch, min_batch)
    assert [len(p) for p in parts] == sizes
    assert [n for p in parts for n in p] == names


def test_workers_write_the_bytes_one_process_writes_and_fill_the_cache(
        make_estate, tmp_path: Path, small_batches, monkeypatch):
    estate = make_estate(3)
    catalog = valid_catalog(estate.root)
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    synthesize(catalog, serial, jobs=1)
    started = []
    real = subprocess.Popen
    monkeypatch.setattr(workers.subprocess, "Popen", lambda *a, **k: started.append(a) or real(*a, **k))
    cache = StackCache(tmp_path / "cache")
    synthesize(catalog, parallel, cache=(estate.root, cache), jobs=2)
    # the account and platform stacks, then the pilots' in batches of 3: more batches than jobs
    pilot_stacks = [rp.stack_id for rp in catalog.pilots]
    assert len(started) == 1 + len(workers.batches(pilot_stacks, 2, 3, 1)) > 2
    assert tree(parallel) == tree(serial)   # manifest.json (dependencies) included

    started.clear()   # every stack was cached: a warm synth starts no worker and writes the same
    warm = tmp_path / "warm"
    synthesize(catalog, warm, cache=(estate.root, cache), jobs=2)
    assert started == [] and tree(warm) == tree(serial)


def test_jobs_1_and_a_small_build_stay_in_this_process(make_estate, tmp_path: Path, monkeypatch):
    catalog = valid_catalog(make_estate(2).root)
    monkeypatch.setattr(workers.subprocess, "Popen", lambda *a, **k: pytest.fail("a worker was started"))
    stacks = 1 + len(catalog.environments.environments) + len(catalog.pilots)
    assert stacks < 2 * workers.MIN_BATCH
    assert len(synthesize(catalog, tmp_path / "small", jobs=2)) == stacks
    monkeypatch.setattr(workers, "MIN_BATCH", 1)
    assert len(synthesize(catalog, tmp_path / "one", jobs=1)) == stacks


def test_a_dying_worker_leaves_the_previous_output_whole(make_estate, tmp_path: Path, small_batches, monkeypatch):
    catalog = valid_catalog(make_estate(3).root)
    out = tmp_path / "repo" / "cdktf.out"
    synthesize(catalog, out, jobs=1)
    before = tree(out)
    real = subprocess.Popen

    def dies(args, **kwargs):
        return real([sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"], **kwargs)

    monkeypatch.setattr(workers.subprocess, "Popen", dies)
    with pytest.raises(workers.WorkerFailed, match=r"^synth worker for \S+ … \S+ \(\d+ stacks\) failed "
                                                   r"\(killed by signal 9\); nothing was written"):
        synthesize_estate(catalog, out, [], jobs=2)
    assert tree(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["cdktf.out"]   # no scratch left behind


def test_a_workers_catalog_error_is_raised_as_it_is_and_a_bug_with_its_traceback():
    located = PilotFactoryError("catalog/pilots/a.yaml:3:5: error[PF999]: broken")
    with pytest.raises(PilotFactoryError, match=r"^catalog/pilots/a\.yaml:3:5: error\[PF999\]: broken$"):
        workers._raise_failure(1, pickle.dumps({"error": located}), b"", ["a-dev"])
    with pytest.raises(workers.WorkerFailed, match=r"(?s)a-dev failed \(exit status 1\).*KeyError: 'x'"):
        workers._raise_failure(1, pickle.dumps({"traceback": "Traceback...\nKeyError: 'x'"}), b"", ["a-dev"])
    with pytest.raises(workers.WorkerFailed, match=r"(?s)exit status 0.*no reply"):
        workers._raise_failure(0, b"", b"no reply", ["a-dev"])
    workers._raise_failure(0, pickle.dumps({"ok": True}), b"", ["a-dev"])


def test_an_error_that_does_not_pickle_crosses_as_its_message():
    diags = Diagnostics()
    diags.error("PF999", "broken", Location("catalog/pilots/a.yaml", 3, 5))
    crossed = pickle.loads(pickle.dumps(_portable(DiagnosticsError(diags))))
    assert type(crossed) is PilotFactoryError and str(crossed) == str(DiagnosticsError(diags))
    same = PilotFactoryError("x")
    assert _portable(same) is same
