"""Writing files safely: whole-file atomic replacement (atomic)."""
