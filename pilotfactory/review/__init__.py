"""The review step: what changed between two syntheses (or in a Terraform plan), judged for a reviewer.

    diff       stacks at base and head, or a plan's resource_changes -> ResourceChanges
    classify   ResourceChanges -> Findings, risk first (broadening, destructive, release, gate)
    render     Review -> Markdown for a pull-request comment, or JSON with the same content

Operates on plain stack JSON dicts and plan JSON: nothing here imports the CDK.
"""
from pilotfactory.review.changes import AttributeChange, Finding, ResourceChange, Review, StackRef
from pilotfactory.review.classify import FAIL_ON, build_review, exit_code

__all__ = ["AttributeChange", "Finding", "ResourceChange", "Review", "StackRef",
           "FAIL_ON", "build_review", "exit_code"]
