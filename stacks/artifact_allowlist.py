"""The metastore's artifact allowlist: the Maven coordinates and JARs Unity Catalog lets clusters load.

artifact_allowlist.md:10 (provider v1.99.0): a workspace-level resource, so not the `account`
stack. It is metastore-wide (id `metastore_id|artifact_type`, :47) and every environment here
shares the one metastore of config/environments.yaml `account.metastore_id`; one resource per type
must hold the whole list (:8), so exactly one platform stack owns it: the production one, whose
changes go through the protected review and change windows, deployed by a metastore admin.
"""
from __future__ import annotations

from pilotfactory.catalog.model.config import Environments, Libraries
from pilotfactory.catalog.phases import PHASES

from .tf import Resource, Scope

__all__ = ["ArtifactAllowlists", "allowlist_environment", "ARTIFACT_TYPES"]

# artifact_allowlist.md:28: the library types; INIT_SCRIPT is not a library and stays unmanaged.
ARTIFACT_TYPES = {"maven": "LIBRARY_MAVEN", "jar": "LIBRARY_JAR"}


def allowlist_environment(environments: Environments) -> str:
    """The environment whose platform stack owns the allowlist: the highest phase, protected first, then by name."""
    envs = environments.environments
    return max(envs, key=lambda n: (PHASES.index(envs[n].min_phase), envs[n].protected, n))


class ArtifactAllowlists(Scope):
    def __init__(self, scope: Scope, id: str, libraries: Libraries):
        super().__init__(scope, id)
        self.resources = {}
        for key, artifact_type in ARTIFACT_TYPES.items():
            entries = getattr(libraries, key)
            # artifact_matcher is required (at least one): an empty list leaves that type unmanaged.
            if not entries:
                continue
            self.resources[key] = Resource(self, key, "databricks_artifact_allowlist", {
                "artifact_type": artifact_type,
                # :33: PREFIX_MATCH is the only match type; a full coordinate or path matches itself.
                "artifact_matcher": [{"artifact": e, "match_type": "PREFIX_MATCH"} for e in entries]})
