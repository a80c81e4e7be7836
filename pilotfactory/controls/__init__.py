"""The control catalog (config/controls.yaml): which gate criteria and guardrails are evidence for
which of the bank's controls, whether every check is owned by a control, and per pilot, the
evidence each control has."""
