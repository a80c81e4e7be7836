"""Blue/green operations on a pilot file: slot plans (plan: plan -> prepare -> commit) and rollback rehearsals (rehearsal)."""
