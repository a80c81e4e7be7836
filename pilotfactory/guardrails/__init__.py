"""Guardrail rules (PFG0xx) over Terraform JSON: cdk.tf.json, .tf.json and `terraform show -json` plans.

Knows nothing of cdktf. The same rule functions run at synth, in `pilotfactory check`, and inside
checkov through policies/. Platform standards come in explicitly as a `Platform`.
"""
from pilotfactory.guardrails.platform import EnvFacts, Platform, load_platform
from pilotfactory.guardrails.registry import RULES, Rule
from pilotfactory.guardrails.evaluate import Violation, evaluate, evaluate_files
from pilotfactory.guardrails.terraform import TfDocument, TfResource, load_document

__all__ = ["EnvFacts", "Platform", "load_platform", "RULES", "Rule", "Violation", "evaluate",
           "evaluate_files", "TfDocument", "TfResource", "load_document"]
