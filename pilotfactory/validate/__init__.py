"""Stage 3, validate: rules across fields and files (rules), security configuration (security), Quartz cron (cron)."""
