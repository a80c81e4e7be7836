"""The serialized Lakeview dashboard of one pilot in one environment, built from its SQL datasets."""
from __future__ import annotations

import json

from pilotfactory.catalog.resolved import ResolvedPilot

from .observability_sql import dashboard_datasets

__all__ = ["serialized_dashboard", "PAGES", "COLUMNS"]

# Page name -> the datasets it shows; the sponsor's scorecard is a page of its own.
PAGES = {
    "operations": ("Operations", ("runs_per_slot", "duration_p95", "contract_freshness", "serving", "audit")),
    "scorecard": ("Scorecard", ("scorecard", "releases")),
}
_WIDTH, _HEIGHT = 6, 6
# Output columns of each dataset's query, in order (a test checks them against the parsed SQL).
COLUMNS = {
    "runs_per_slot": ("day", "slot", "runs", "failures"),
    "duration_p95": ("job", "p95_seconds", "runs"),
    "contract_freshness": ("contract", "minutes_since_latest", "max_delay_minutes"),
    "serving": ("hour", "slot", "model_version", "requests", "p50_ms", "p95_ms", "error_rate"),
    "audit": ("event_time", "service_name", "action_name", "user_email", "status_code", "request_params"),
    "scorecard": ("metric_name", "unit", "baseline", "target", "latest", "measured_at", "status"),
    "releases": ("month", "releases", "rollbacks"),
}


def _table_widget(name: str, title: str, y: int) -> dict:
    columns = COLUMNS[name]
    return {
        "position": {"x": 0, "y": y, "width": _WIDTH, "height": _HEIGHT},
        "widget": {
            "name": f"{name}_table",
            "queries": [{"name": "main_query", "query": {
                "datasetName": name, "disaggregated": True,
                "fields": [{"name": c, "expression": f"`{c}`"} for c in columns]}}],
            "spec": {"version": 1, "widgetType": "table", "frame": {"showTitle": True, "title": title},
                     "encodings": {"columns": [{"fieldName": c, "displayName": c} for c in columns]}},
        },
    }


def serialized_dashboard(rp: ResolvedPilot) -> str:
    """Canonical JSON (sorted keys): the same catalog always gives the same bytes."""
    datasets = dashboard_datasets(rp)
    titles = {n: t for n, t, _ in datasets}
    pages = []
    for page, (display, wanted) in PAGES.items():
        shown = [n for n in wanted if n in titles]
        pages.append({"name": page, "displayName": display,
                      "layout": [_table_widget(n, titles[n], i * _HEIGHT) for i, n in enumerate(shown)]})
    doc = {
        "datasets": [{"name": n, "displayName": t, "queryLines": q.splitlines(keepends=True)}
                     for n, t, q in datasets],
        "pages": pages,
    }
    return json.dumps(doc, sort_keys=True, indent=2) + "\n"
