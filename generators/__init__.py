"""Files Pilot Factory renders from the catalog (Jinja2 templates under templates/)."""
