"""New pilots from templates (render) and which pilots lag their template (history)."""
