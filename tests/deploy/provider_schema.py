"""The Databricks provider schema as the installed provider package carries it: its jsii assembly.

Each generated class documents the Terraform type it represents (`docs/resources/<type>` or
`docs/data-sources/<type>`) and each property the attribute it sets (`#<attribute>`), so the
assembly gives attribute names, which are required, and their nesting and types.
"""
from __future__ import annotations

import importlib.util
import json
import re
import tarfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["Attribute", "Schema", "load_schema", "META_ARGUMENTS"]

_REPRESENTS = re.compile(r"/docs/(resources|data-sources)/([a-z0-9_]+) ")
_ANCHOR = re.compile(r"/docs/(?:resources|data-sources)/[a-z0-9_]+#([a-z0-9_]+) ")
# Terraform's own arguments, present on every resource and data source; `//` is cdktf's metadata.
META_ARGUMENTS = frozenset({"//", "depends_on", "count", "for_each", "lifecycle", "provider", "connection",
                            "provisioner"})


@dataclass(frozen=True)
class Attribute:
    name: str
    required: bool
    type: dict          # the jsii type reference


@dataclass(frozen=True)
class Schema:
    version: str                                        # the provider version the bindings were made from
    resources: dict[str, str]                           # terraform type -> config struct fqn
    data_sources: dict[str, str]
    structs: dict[str, dict[str, Attribute]]            # struct fqn -> terraform attribute -> Attribute


def _snake(camel: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", camel).lower()


def _assembly_file(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise FileNotFoundError(f"{package} is not installed")
    (tgz,) = sorted((Path(spec.origin).parent / "_jsii").glob("*.jsii.tgz"))
    return tgz


@lru_cache(maxsize=None)
def load_schema(package: str) -> Schema:
    """Read `package/.jsii` out of the provider package's bundled tarball."""
    with tarfile.open(_assembly_file(package)) as tar:
        assembly = json.load(tar.extractfile("package/.jsii"))
    types = assembly["types"]
    resources: dict[str, str] = {}
    data_sources: dict[str, str] = {}
    version = None
    for fqn, t in types.items():
        if t.get("kind") != "class" or t.get("base") not in ("cdktf.TerraformResource", "cdktf.TerraformDataSource",
                                                              "cdktn.TerraformResource", "cdktn.TerraformDataSource"):
            continue
        match = _REPRESENTS.search(t.get("docs", {}).get("summary", ""))
        if not match:
            continue
        version = version or re.search(r"/databricks/([0-9.]+)/docs/", t["docs"]["summary"]).group(1)
        config = next(p["type"]["fqn"] for p in t["initializer"]["parameters"] if p["name"] == "config")
        (resources if match.group(1) == "resources" else data_sources)[f"databricks_{match.group(2)}"] = config
    structs: dict[str, dict[str, Attribute]] = {}
    for fqn, t in types.items():
        if t.get("kind") != "interface" or not t.get("datatype"):
            continue
        attributes = {}
        for p in t.get("properties", []):
            docs = " ".join(t_ for t_ in (p.get("docs", {}).get("summary", ""), p.get("docs", {}).get("remarks", "")))
            anchor = _ANCHOR.search(docs)
            name = anchor.group(1) if anchor else _snake(p["name"])
            attributes[name] = Attribute(name=name, required=not p.get("optional", False), type=p["type"])
        structs[fqn] = attributes
    return Schema(version=version or "unknown", resources=resources, data_sources=data_sources, structs=structs)
