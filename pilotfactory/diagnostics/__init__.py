"""Located diagnostics (diagnostic) and the table of stable codes with their explanations (codes). Every stage reports through these."""
