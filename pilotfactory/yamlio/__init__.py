"""YAML in and out: the strict positioned loader (source), comment-preserving edits (edit), literal-secret detection (secrets)."""
