"""Live checks against a Databricks workspace, through databricks-sdk and its standard authentication.

    client     environment + flags -> Workspace (a WorkspaceClient with timeouts and retries) and
               one-line LiveErrors for 401/403/404/timeouts
    expected   synthesized stacks -> the jobs, serving routes and model aliases a deploy leaves live
    preflight  the standards and the catalog's principals -> checks against the workspace
    verify     expected objects -> checks against the workspace after a deploy
    drift      live job settings and permissions -> a review (same words as `pilotfactory review`)
    emergency  a rollback made live through the API first, then recorded and written to the catalog
"""
