"""checkov loads custom checks only from a folder that is a package."""
