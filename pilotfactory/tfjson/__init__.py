"""Facts read from synthesized Terraform JSON, independent of the CDK: stack facts for documents (stackfacts) and release-slot facts and diffs (slots)."""
