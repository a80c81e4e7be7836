"""The generated data-contract check, run as real PySpark on one local Spark session.

Each expectation (schema, nullability, completeness, freshness) gets data that passes and data
that fails it; the script also runs end to end as `__main__` against a saved table.
"""
from __future__ import annotations

import datetime as dt
import runpy
import types

import pytest

from generators.contract_check import render_contract_check
from pilotfactory.catalog.model.pilot import DataContract

pytestmark = pytest.mark.spark

SCHEMA = "id string, amount double, note string, received_at timestamp"


def contract(table: str = "spark_catalog.contract_test.events", *, completeness: float | None = None,
             max_delay_minutes: int = 60) -> DataContract:
    return DataContract.model_validate({
        "name": "events", "table": table, "producer": "payments-hub",
        "schema": [
            {"name": "id", "type": "string", "nullable": False},
            {"name": "amount", "type": "double", "nullable": False},
            {"name": "note", "type": "string"},
            {"name": "received_at", "type": "timestamp", "nullable": False},
        ],
        "freshness": {"column": "received_at", "max_delay_minutes": max_delay_minutes},
        **({"quality": {"min_completeness": completeness}} if completeness is not None else {}),
    })


def script(c: DataContract) -> types.ModuleType:
    """The rendered check, imported as a module (not run)."""
    module = types.ModuleType("contract_check_under_test")
    exec(compile(render_contract_check(c, source="catalog/pilots/x.yaml"), "contract_check.py", "exec"),
         module.__dict__)
    return module


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    from pyspark.sql import SparkSession

    warehouse = tmp_path_factory.mktemp("warehouse")
    session = (SparkSession.builder.master("local[1]").appName("pilotfactory-contract-tests")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", "1")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.warehouse.dir", str(warehouse))
               .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={warehouse}")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def rows(n: int = 10, *, age_minutes: float = 5, null_amounts: int = 0) -> list[tuple]:
    # naive local time, as PySpark reads naive datetimes; taken now, not at import: the suite takes a while
    at = dt.datetime.now() - dt.timedelta(minutes=age_minutes)
    return [(f"id-{i}", None if i < null_amounts else float(i), None, at) for i in range(n)]


def test_good_data_passes(spark):
    assert script(contract()).check_dataframe(spark.createDataFrame(rows(), SCHEMA)) == []


def test_schema_missing_column_and_wrong_type(spark):
    df = spark.createDataFrame([("a", 1, dt.datetime(2026, 1, 1))], "id string, amount int, received_at timestamp")
    assert script(contract()).check_dataframe(df) == [
        "schema: column amount is int, expected double",
        "schema: column note is missing",
    ]


def test_nullability_without_a_completeness_threshold_allows_no_null(spark):
    df = spark.createDataFrame(rows(null_amounts=1), SCHEMA)
    assert script(contract()).check_dataframe(df) == ["nullability: column amount is null in 1 of 10 rows"]


def test_a_nullable_column_may_be_null(spark):
    df = spark.createDataFrame(rows(), SCHEMA)  # note is null everywhere, and nullable
    assert script(contract()).check_dataframe(df) == []


def test_completeness_threshold(spark):
    check = script(contract(completeness=0.9)).check_dataframe
    assert check(spark.createDataFrame(rows(null_amounts=1), SCHEMA)) == []  # 0.9 complete: enough
    [problem] = check(spark.createDataFrame(rows(null_amounts=2), SCHEMA))
    assert problem == ("completeness: 0.8000 of rows have every required column set, below the "
                       "contract's 0.9 (amount (2 nulls))")


def test_an_empty_table_fails(spark):
    assert script(contract()).check_dataframe(spark.createDataFrame([], SCHEMA)) == [
        "completeness: spark_catalog.contract_test.events has no rows"]


def test_freshness(spark):
    check = script(contract(max_delay_minutes=60)).check_dataframe
    assert check(spark.createDataFrame(rows(age_minutes=30), SCHEMA)) == []
    [problem] = check(spark.createDataFrame(rows(age_minutes=180), SCHEMA))
    assert problem.startswith("freshness: newest received_at is ")
    assert problem.endswith(", 180 minutes old; the contract allows 60")


def test_every_failed_expectation_is_listed_at_once(spark):
    df = spark.createDataFrame(rows(null_amounts=1, age_minutes=500), SCHEMA)
    problems = script(contract()).check_dataframe(df)
    assert [p.split(":")[0] for p in problems] == ["nullability", "freshness"]


def test_the_script_runs_as_main_against_its_table(spark, tmp_path):
    spark.sql("CREATE DATABASE IF NOT EXISTS contract_test")
    table = "spark_catalog.contract_test.events"
    path = tmp_path / "check.py"
    path.write_text(render_contract_check(contract(table), source="catalog/pilots/x.yaml"))

    spark.createDataFrame(rows(), SCHEMA).write.mode("overwrite").saveAsTable(table)
    runpy.run_path(str(path), run_name="__main__")  # passes: no SystemExit

    spark.createDataFrame(rows(null_amounts=3, age_minutes=600), SCHEMA).write.mode("overwrite").saveAsTable(table)
    with pytest.raises(SystemExit) as failed:
        runpy.run_path(str(path), run_name="__main__")
    message = str(failed.value.code)
    assert message.startswith("data contract events on spark_catalog.contract_test.events "
                              "(producer payments-hub) broken, 2 failed expectations:\n")
    assert "- nullability: column amount is null in 3 of 10 rows" in message
    assert "- freshness: newest received_at is " in message
