"""Acts and documents of the control functions: approvals bound to a content digest (approve), the model inventory, CODEOWNERS, handoff documents and evidence packs."""
