"""Shared building blocks of the catalog model: strict frozen models and the names they use."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, StringConstraints

from pilotfactory.catalog.phases import PHASES  # noqa: F401  (re-exported: the model speaks of phases)

API_VERSION = "pilotfactory/v1"
ApiVersion = Literal["pilotfactory/v1"]

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{2,39}$")]
Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,62}$")]
EnvName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9]{1,15}$")]
Email = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")]
GroupName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._-]{1,99}$")]
NonEmpty = Annotated[str, StringConstraints(min_length=1, max_length=1000)]
Uuid = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
Version = Annotated[str, StringConstraints(pattern=r"^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$")]
Phase = Literal["pilot", "staging", "production"]
JobLevel = Literal["CAN_VIEW", "CAN_MANAGE_RUN", "CAN_MANAGE"]
# YAML 1.2 has no date type: dates arrive as `YYYY-MM-DD` strings, the one place a string is parsed.
Date = Annotated[dt.date, Strict(False)]

# A human-facing error for each pattern above, instead of pydantic's raw regular expression.
PATTERN_HELP = {
    Slug.__metadata__[0].pattern: "a slug: lower-case letters, digits and '-', 3 to 40 characters, starting with a letter",
    Identifier.__metadata__[0].pattern: "an identifier: lower-case letters, digits and '_', starting with a letter",
    EnvName.__metadata__[0].pattern: "an environment name: lower-case letters and digits, 2 to 16 characters",
    Email.__metadata__[0].pattern: "an email address",
    GroupName.__metadata__[0].pattern: "a group name",
    Uuid.__metadata__[0].pattern: "a UUID in lower case (8-4-4-4-12 hex digits)",
    Version.__metadata__[0].pattern: "a version tag like v1.4.0",
}


class Model(BaseModel):
    """Every catalog object: unknown keys are errors, values never change after loading, and a
    value is never converted (`max_workers: "6"` is a string, not 6), dates apart."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, strict=True)


def doc(text: str, **kwargs):
    """A field with its one-line documentation, which the JSON Schema and the reference show."""
    return Field(description=text, **kwargs)
