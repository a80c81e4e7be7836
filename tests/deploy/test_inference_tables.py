"""Item 4: inference tables through AI Gateway, and the dashboard reading that table's columns.

Citations are to databricks/terraform-provider-databricks at tag v1.99.0.
"""
from __future__ import annotations

import json
import re

from .conftest import pilot_stacks, resources

# Columns of the AI Gateway inference table (docs.databricks.com, "AI Gateway-enabled inference table schema";
# the same twelve, with Databricks' own column comments, in a live `<prefix>_payload` table's CREATE TABLE
# found by code search; the docs page's table itself was not retrievable offline, so not line-cited).
GATEWAY_COLUMNS = frozenset({
    "request_date", "databricks_request_id", "client_request_id", "request_time", "status_code",
    "sampling_fraction", "execution_duration_ms", "request", "response", "served_entity_id",
    "logging_error_codes", "requester",
})
# Columns only the legacy auto-capture payload table has.
LEGACY_COLUMNS = ("timestamp_ms", "execution_time_ms", "request_metadata", "`date`")


def _endpoints(stacks):
    for stack_id, stack in pilot_stacks(stacks).items():
        for endpoint in resources(stack, "databricks_model_serving").values():
            yield stack_id, stack, endpoint


def test_endpoints_log_through_ai_gateway_not_auto_capture(stacks):
    """docs/resources/model_serving.md:84 `ai_gateway.inference_table_config`;
    serving/resource_model_serving.go:313-315 creates the endpoint from the whole configuration
    (CreateServingEndpoint, ai_gateway included), :383-385 and :122-129 send a changed ai_gateway with
    PutAiGateway; :266-270 auto_capture_config is the legacy block (force-new on catalog, schema and
    prefix). model_serving.md:132 still says AI Gateway serves only external-model endpoints, and
    :260-261 swap the descriptions of usage_tracking_config and inference_table_config: the docs lag
    the code, which sends the block for any endpoint."""
    seen = 0
    for stack_id, _, endpoint in _endpoints(stacks):
        seen += 1
        assert "auto_capture_config" not in endpoint["config"], stack_id
        table = endpoint["ai_gateway"]["inference_table_config"]
        assert table["enabled"] is True and table["catalog_name"] and table["schema_name"] and \
            table["table_name_prefix"], stack_id
    assert seen, "no serving endpoint synthesized: the test proves nothing"


def test_dashboard_reads_the_gateway_table_by_its_columns(stacks):
    for stack_id, stack, endpoint in _endpoints(stacks):
        table = endpoint["ai_gateway"]["inference_table_config"]
        payload = f"`{table['catalog_name']}`.`{table['schema_name']}`.`{table['table_name_prefix']}_payload`"
        for dash in resources(stack, "databricks_dashboard").values():
            datasets = {d["name"]: "".join(d["queryLines"]) for d in json.loads(dash["serialized_dashboard"])["datasets"]}
            sql = datasets["serving"]
            assert payload in sql, stack_id
            for legacy in LEGACY_COLUMNS:
                assert legacy not in sql, (stack_id, legacy)
            used = set(re.findall(r"\bi\.([a-z_]+)", sql))
            assert used and used <= GATEWAY_COLUMNS, used - GATEWAY_COLUMNS
            assert f"endpoint_name = '{endpoint['name']}'" in sql
