"""Stage 3, validate: a registry of rules (registry), one module per area, run in order by run.validate; Quartz cron (cron)."""
