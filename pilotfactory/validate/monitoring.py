"""Validate rules on a model's monitoring: the monitor has a table to watch, and a baseline it can compare."""
from __future__ import annotations

from pilotfactory.catalog.load import Catalog
from pilotfactory.catalog.resolve import TypedPilot
from pilotfactory.diagnostics.codes import Code
from pilotfactory.diagnostics.diagnostic import Diagnostics
from pilotfactory.validate.registry import pilot_rule

__all__ = []


def _serves_anywhere(typed: TypedPilot) -> bool:
    pilot = typed.pilot
    return pilot.model.serving is not None or any(
        o.model is not None and o.model.serving is not None for o in pilot.overrides.values())


@pilot_rule(Code.MONITOR_WITHOUT_TABLE)
def monitoring_has_a_table_and_a_comparable_baseline(catalog: Catalog, typed: TypedPilot, diags: Diagnostics) -> None:
    """A batch model's monitoring names its `scored_table`; a `training_table` baseline needs one too."""
    model = typed.pilot.model
    if model is None or model.monitoring is None or model.monitoring.scored_table is not None:
        return
    monitoring = model.monitoring
    if monitoring.training_table is not None:
        # quality_monitor.md:92-93: the baseline must carry the monitored table's columns; a training set
        # has no request/response JSON, so it can only be the baseline of a scored table.
        path = ("model", "monitoring", "training_table")
        diags.error(Code.MONITOR_WITHOUT_TABLE,
                    "`training_table` is a baseline for `scored_table`, which is not named: Lakehouse Monitoring "
                    "compares a baseline with a table of the same columns, and the serving inference table holds "
                    "request/response JSON, not the training set's columns",
                    typed.source.where(path), path)
    elif not _serves_anywhere(typed):
        path = ("model", "monitoring")
        diags.error(Code.MONITOR_WITHOUT_TABLE,
                    "monitoring of a model without a serving endpoint needs `scored_table`: the table its batch "
                    "scoring writes, which the monitor watches", typed.source.where(path, key=True), path)
