"""Every resource and data source of every synthesized stack against the provider schema that the
installed provider package carries (its jsii assembly), for both engines: attribute names, required
attributes, nesting and types."""
from __future__ import annotations

import pytest

from stacks.engine import ENGINES

from .conftest import full_catalog, synth_all
from .provider_schema import META_ARGUMENTS, Schema, load_schema

_PY = {"string": (str,), "number": (int, float), "boolean": (bool,), "any": (object,)}


def _is_token(value) -> bool:
    return isinstance(value, str) and "${" in value


def _type_errors(schema: Schema, type_ref: dict, value, where: str) -> list[str]:
    """What is wrong with `value` for a jsii type reference; tokens stand for any value."""
    if _is_token(value):
        return []
    if "union" in type_ref:
        # IResolvable in a union stands for a token, which was handled above.
        types = [t for t in type_ref["union"]["types"] if not t.get("fqn", "").endswith(".IResolvable")] \
            or type_ref["union"]["types"]
        options = [_type_errors(schema, t, value, where) for t in types]
        return [] if any(not o for o in options) else min(options, key=len)
    if "primitive" in type_ref:
        ok = _PY[type_ref["primitive"]]
        if type_ref["primitive"] == "number" and isinstance(value, bool):
            return [f"{where}: {value!r} is not a number"]
        return [] if isinstance(value, ok) else [f"{where}: {value!r} is not a {type_ref['primitive']}"]
    if "collection" in type_ref:
        kind, element = type_ref["collection"]["kind"], type_ref["collection"]["elementtype"]
        if kind == "array":
            if not isinstance(value, list):
                return [f"{where}: expected a list, got {type(value).__name__}"]
            return [e for i, v in enumerate(value) for e in _type_errors(schema, element, v, f"{where}[{i}]")]
        if not isinstance(value, dict):
            return [f"{where}: expected a map, got {type(value).__name__}"]
        return [e for k, v in value.items() for e in _type_errors(schema, element, v, f"{where}.{k}")]
    fqn = type_ref["fqn"]
    if fqn.endswith(".IResolvable"):
        return []
    if fqn not in schema.structs:
        return [f"{where}: unknown type {fqn}"]
    if not isinstance(value, dict):
        return [f"{where}: expected a block, got {type(value).__name__}"]
    return _block_errors(schema, fqn, value, where)


def _block_errors(schema: Schema, fqn: str, values: dict, where: str, top: bool = False) -> list[str]:
    attributes = schema.structs[fqn]
    errors = []
    for key, value in values.items():
        if top and key in META_ARGUMENTS:
            continue
        if key not in attributes:
            errors.append(f"{where}: `{key}` is not an attribute (known: {', '.join(sorted(attributes))})")
            continue
        errors += _type_errors(schema, attributes[key].type, value, f"{where}.{key}")
    errors += [f"{where}: required `{a.name}` is missing" for a in attributes.values()
               if a.required and a.name not in values]
    return errors


def schema_errors(schema: Schema, stack_id: str, stack: dict) -> list[str]:
    errors = []
    for section, known in (("resource", schema.resources), ("data", schema.data_sources)):
        for type_, items in stack.get(section, {}).items():
            if not type_.startswith("databricks_"):
                continue  # Terraform's own (terraform_remote_state), not the provider's
            if type_ not in known:
                errors.append(f"{stack_id}: {section} type {type_} is not in provider {schema.version}")
                continue
            for name, values in items.items():
                errors += _block_errors(schema, known[type_], values, f"{stack_id}: {type_}.{name}", top=True)
    return errors


@pytest.fixture(scope="module", params=sorted(ENGINES))
def engine_stacks(request, example_catalog, built_catalog, tmp_path_factory):
    """(schema of the engine's provider package, every stack of both catalogs synthesized by that engine)."""
    engine = request.param
    out = {}
    for label, catalog in (("example", example_catalog), ("built", built_catalog), ("full", full_catalog())):
        for stack_id, stack in synth_all(catalog, engine, str(tmp_path_factory.mktemp(f"{engine}-{label}"))).items():
            out[f"{label}/{stack_id}"] = stack
    return load_schema(ENGINES[engine][1]), out


def test_every_resource_matches_the_provider_schema(engine_stacks):
    schema, stacks = engine_stacks
    assert stacks
    errors = [e for stack_id, stack in sorted(stacks.items()) for e in schema_errors(schema, stack_id, stack)]
    assert errors == [], "\n".join(errors[:40])


def test_every_resource_type_stacks_write_is_checked(engine_stacks):
    """The schema check sees every type stacks/ can write, so no block goes unchecked: stacks/ build
    their JSON in Python (stacks/tf.py) and no provider class checks it as it is made."""
    import re
    from pathlib import Path

    written = set()
    for path in (Path(__file__).resolve().parents[2] / "stacks").glob("*.py"):
        written |= set(re.findall(r'"(databricks_[a-z0-9_]+)"', path.read_text()))
    seen = {t for stack in engine_stacks[1].values() for section in ("resource", "data")
            for t in stack.get(section, {})}
    assert written and written <= seen, sorted(written - seen)


def test_the_provider_block_matches_the_provider_configuration(engine_stacks):
    schema, stacks = engine_stacks
    config = next(fqn for fqn in schema.structs if fqn.endswith(".provider.DatabricksProviderConfig"))
    blocks = [(stack_id, b) for stack_id, stack in stacks.items() for b in stack.get("provider", {}).get("databricks", [])]
    assert blocks and {"account_id", "host"} <= {k for _, b in blocks for k in b}
    errors = [e for stack_id, b in blocks for e in _block_errors(schema, config, b, f"{stack_id}: provider")]
    assert errors == [], errors


def test_the_schema_reader_sees_the_pinned_provider():
    """Every stack requires provider 1.99.0 whichever engine writes it (stacks/engine.py PROVIDER),
    the version cdktf's prebuilt package was generated from; cdktn's package is generated from a
    later provider (1.138.0), whose schema the blocks are checked against as well."""
    from stacks.engine import PROVIDER

    assert load_schema(ENGINES["cdktf"][1]).version == PROVIDER[1] == "1.99.0"
    assert load_schema(ENGINES["cdktn"][1]).version == "1.138.0"


def test_every_stack_requires_the_pinned_provider(engine_stacks):
    from stacks.engine import PROVIDER

    required = {s.get("terraform", {}).get("required_providers", {}).get("databricks", {}).get("version")
                for s in engine_stacks[1].values() if "provider" in s}
    sources = {s["terraform"]["required_providers"]["databricks"]["source"]
               for s in engine_stacks[1].values() if "provider" in s}
    assert required == {PROVIDER[1]} and sources == {PROVIDER[0]} == {"databricks/databricks"}


def test_the_checker_catches_a_wrong_name_a_missing_required_and_a_wrong_type():
    schema = load_schema(ENGINES["cdktf"][1])
    bad = {"resource": {"databricks_directory": {"d": {"path": "/x", "recursive": True}},
                        "databricks_model_serving": {"m": {"name": "e", "config": [{"served_entities": []}],
                                                           "ai_gateway": {"inference_table_config": {"enabled": "yes"}}}},
                        "databricks_secret_scope": {"s": {}}}}
    errors = "\n".join(schema_errors(schema, "t", bad))
    assert "`recursive` is not an attribute" in errors
    assert "required `name` is missing" in errors and "databricks_secret_scope.s" in errors
    assert "'yes' is not a boolean" in errors
    assert "config: expected a block, got list" in errors
    assert schema_errors(schema, "t", {"resource": {"databricks_directory": {"d": {"path": "${var.p}"}}}}) == []
