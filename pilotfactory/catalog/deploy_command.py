"""The command that deploys one pilot stack on its own, the one home of that text.

The manifest orders account -> platform-<env> -> <pilot>-<env> (stacks/app.py
`stack_dependencies`), and `cdktf deploy` refuses a stack whose dependencies are not deployed in
the same run (cdktf-cli checkIfAllDependenciesAreIncluded). A release, cutover or rollback changes
one pilot stack whose platform and account stacks are already applied, so it names that stack
alone and says so with `--ignore-missing-stack-dependencies`.
"""
from __future__ import annotations

__all__ = ["IGNORE_APPLIED_DEPENDENCIES", "deploy_command"]

IGNORE_APPLIED_DEPENDENCIES = "--ignore-missing-stack-dependencies"


def deploy_command(stack: str) -> str:
    """`npx cdktf deploy` of `stack` alone, its dependencies being applied already."""
    return f"npx cdktf deploy {stack} {IGNORE_APPLIED_DEPENDENCIES}"
