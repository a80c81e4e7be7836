"""The `pilotfactory` command line: the click app (app) and one module of commands per area (commands/)."""
