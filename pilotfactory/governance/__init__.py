"""Documents and indexes for control functions: model inventory, CODEOWNERS, handoff documents and evidence packs."""
