"""Generated files: written only when their content changed; `--check` writes nothing and names what is stale."""
from __future__ import annotations

import os

from pilotfactory.files.generated import sync_file, sync_files


def test_only_changed_files_are_written_and_reported_in_the_order_given(tmp_path):
    (tmp_path / "same.md").write_text("kept\n", encoding="utf-8")
    os.utime(tmp_path / "same.md", (1_000_000, 1_000_000))
    files = {"z/new.md": "new\n", "same.md": "kept\n", "a.md": "a\n"}
    assert sync_files(tmp_path, files) == ["z/new.md", "a.md"]
    assert (tmp_path / "z" / "new.md").read_text(encoding="utf-8") == "new\n"
    assert (tmp_path / "same.md").stat().st_mtime == 1_000_000      # untouched: its content did not change
    assert sync_files(tmp_path, files) == []


def test_check_only_writes_nothing_and_names_the_stale_files(tmp_path):
    (tmp_path / "old.md").write_text("old\n", encoding="utf-8")
    assert sync_files(tmp_path, {"old.md": "new\n", "missing.md": "x\n"}, check_only=True) == ["old.md", "missing.md"]
    assert (tmp_path / "old.md").read_text(encoding="utf-8") == "old\n" and not (tmp_path / "missing.md").exists()


def test_an_unreadable_file_counts_as_stale(tmp_path):
    (tmp_path / "bin.md").write_bytes(b"\xff\xfe")
    assert sync_file(tmp_path / "bin.md", "text\n", check_only=True) is True
    assert sync_file(tmp_path / "bin.md", "text\n") is True and sync_file(tmp_path / "bin.md", "text\n") is False
