"""The strict loader: each rejection names the exact line and column."""
from __future__ import annotations

import pytest

from pilotfactory.diagnostics.diagnostic import Diagnostics
from pilotfactory.yamlio.source import load_yaml_file, load_yaml_text


def load(text: str):
    diags = Diagnostics()
    source = load_yaml_text(text, "f.yaml", diags)
    return source, [d.render() for d in diags.sorted()]


@pytest.mark.parametrize("text, expected", [
    ("a: 1\nb: 2\na: 3\n", "f.yaml:3:1: error[PF007]: duplicate key `a`: first defined at line 1, column 1"),
    ("a: &x 1\nb: *x\n", "f.yaml:1:4: error[PF008]: anchor `&x`: anchors and aliases are not allowed; write the value out in full"),
    ("a: !!python/object:os.system {}\n", "f.yaml:1:4: error[PF009]: tag `!!python/object:os.system` is not allowed: the catalog is plain data"),
    ("a: !custom x\n", "f.yaml:1:4: error[PF009]: tag `!custom` is not allowed: the catalog is plain data"),
    ("a:\n\tb: 1\n", "f.yaml:2:1: error[PF005]: tab character in indentation; indent with spaces"),
    ("", "f.yaml:1:1: error[PF004]: the file is empty; it should hold one YAML mapping"),
    ("# only a comment\n", "f.yaml:1:1: error[PF004]: the file is empty; it should hold one YAML mapping"),
    ("- a\n- b\n", "f.yaml:1:1: error[PF010]: the top level is a list; it must be a mapping of keys to values"),
    ("just text\n", "f.yaml:1:1: error[PF010]: the top level is a single value; it must be a mapping of keys to values"),
    ("a: 1\n---\nb: 2\n", "f.yaml:2:1: error[PF006]: a second YAML document (`---`); keep one document per file"),
    ("a: [1, 2\n", "f.yaml:2:1: error[PF006]: YAML syntax: did not find expected ',' or ']' (while parsing a flow sequence started at line 1, column 4)"),
    ("note: dapi0123456789abcdef0123456789abcdef\n",
     "f.yaml:1:7: error[PF011]: a literal Databricks personal access token (`dapi********`); secrets never live in the catalog: declare the key under `secrets.keys` instead"),
    ("db:\n  password: correct-horse\n",
     "f.yaml:2:13: error[PF011]: `password` holds a literal secret (`********`); declare the key under `secrets.keys` and keep its value in the secret scope"),
])
def test_rejections(text, expected):
    _, rendered = load(text)
    assert rendered[0] == expected


def test_the_secret_value_never_appears_in_the_message():
    _, rendered = load("client_secret: s3cr3t-value-123\n")
    assert "s3cr3t" not in rendered[0]


def test_every_problem_of_a_file_is_reported_at_once():
    _, rendered = load("a: 1\na: 2\nb: &x 3\nc: !!python/name:x y\n")
    assert [r.split(": error")[0] for r in rendered] == ["f.yaml:2:1", "f.yaml:3:4", "f.yaml:4:4"]


def test_yaml_1_2_core_resolution_and_positions():
    source, rendered = load('a: yes\nb: "NO"\nc: 0777\nd: 1.5\ne: ~\nf: [x, 2]\ng: 2026-11-10\n')
    assert rendered == []
    assert source.data == {"a": "yes", "b": "NO", "c": 777, "d": 1.5, "e": None, "f": ["x", 2],
                           "g": "2026-11-10"}
    assert set(source.ambiguous) == {("a",), ("c",)}
    assert str(source.values[("f", 1)]) == "f.yaml:6:8"
    assert str(source.keys[("g",)]) == "f.yaml:7:1"


def test_non_utf8_bytes_are_located(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_bytes(b"name: ok\ntitle: caf\xe9\n")
    diags = Diagnostics()
    assert load_yaml_file(path, "x.yaml", diags) is None
    assert [d.render() for d in diags] == [
        "x.yaml:2:11: error[PF003]: byte 0xe9 is not UTF-8; save the file as UTF-8"]


def test_files_over_one_mebibyte_are_refused_unread(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: " + b"x" * (1024 * 1024) + b"\n")
    diags = Diagnostics()
    assert load_yaml_file(path, "big.yaml", diags) is None
    assert diags.items[0].code == "PF001"


def test_aliases_are_never_expanded_so_a_yaml_bomb_stays_small():
    levels = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i-1}'] * 9)}]" for i in range(1, 10)]
    source, rendered = load("\n".join(levels) + "\n")
    assert all("PF008" in r for r in rendered)
    assert source.data["a9"] == [None] * 9  # 9**10 strings had it been expanded
