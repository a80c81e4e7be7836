"""CI integration: which stacks a change touches (matrix) and the Atlantis project file (atlantis)."""
