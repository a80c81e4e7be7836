"""A pilot: one use case on its way from exploration to governed production."""
from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field, model_validator

from pilotfactory.catalog.model.fields import (
    ApiVersion, Date, Email, EnvName, GroupName, Identifier, Model, NonEmpty, Phase, Slug, Version, doc,
)

DataClassification = Literal["public", "internal", "confidential", "restricted"]


class Owners(Model):
    executive_sponsor: Email = doc("Accountable executive who funds the pilot.")
    product_owner: Email = doc("Owns the use case's value; may never approve its releases.")
    pmo_lead: Email = doc("Runs intake and gating.")
    builders: GroupName = doc("Workspace group of makers: manage dev, view elsewhere.")
    approvers: GroupName = doc("Workspace group of checkers; shares no member with builders.")
    on_call: Email = doc("Paging address of the on-call rota (a mailing list): job failures and alerts go to it.")
    on_call_group: GroupName | None = doc(
        "Workspace group of the on-call rota, declared in config/roles.yaml: the stacks grant on-call's "
        "access to it (a mailing list is no workspace principal). Required once on-call does more than "
        "view where the pilot deploys (environments.yaml `access`), or the pilot releases blue/green.", default=None)


class Score(Model):
    score: int = doc("1 (poor) to 5 (excellent).", ge=1, le=5)


class ValueScore(Score):
    business_case: NonEmpty = doc("The value in one sentence.")


class RiskScore(Model):
    score: int = doc("1 (low) to 5 (high).", ge=1, le=5)
    model_risk_tier: int = doc("Model-risk tier, 1 (highest scrutiny) to 3.", ge=1, le=3)


class ReadinessScore(Score):
    notes: NonEmpty | None = doc("Quality, lineage, access notes.", default=None)


class SuccessMetric(Model):
    name: Identifier
    baseline: float
    target: float
    unit: NonEmpty | None = None


class Intake(Model):
    value: ValueScore
    risk: RiskScore
    data_readiness: ReadinessScore
    success_metrics: list[SuccessMetric] = doc("Each with baseline and target.", min_length=1)


class Column(Model):
    name: Identifier
    type: Literal["string", "int", "bigint", "double", "decimal", "boolean", "date", "timestamp",
                  "binary", "float", "smallint", "tinyint", "array", "map", "struct"]
    nullable: bool = True


class Freshness(Model):
    column: Identifier = doc("A timestamp column of the contract's schema.")
    max_delay_minutes: int = doc("How old the newest row may be.", ge=1, le=60 * 24 * 31)


class Quality(Model):
    min_completeness: float = doc("Share of rows with every non-nullable column set.", ge=0, le=1)


class DataContract(Model):
    name: Identifier
    table: Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$",
                                description="Unity Catalog table: catalog.schema.table.")]
    producer: NonEmpty = doc("Team or system that produces the table.")
    schema_: list[Column] = Field(alias="schema", min_length=1, description="Expected columns.")
    freshness: Freshness | None = None
    quality: Quality | None = None


class Compute(Model):
    size: Identifier = doc("A size tier from config/standards.yaml.")
    min_workers: int | None = doc("At least the tier's minimum.", default=None, ge=0)
    max_workers: int | None = doc("At most the tier's maximum.", default=None, ge=1)
    autotermination_minutes: int | None = doc("At most the standard.", default=None, ge=10)
    node_types: list[NonEmpty] | None = doc("A subset of the tier's node types.", default=None, min_length=1)
    spark_version: NonEmpty | None = doc("One of the standard LTS versions.", default=None)


class Sla(Model):
    max_run_minutes: int = doc("A run longer than this warns on-call (job health rule).", ge=1, le=60 * 24 * 7)
    max_failure_rate: float = doc("Share of failed runs over 24 hours that raises the SQL alert.",
                                  default=0.1, ge=0, le=1)


class Schedule(Model):
    cron: NonEmpty = doc("Quartz cron: seconds minutes hours day-of-month month day-of-week [year].")
    timezone: NonEmpty = doc("IANA time zone, e.g. Europe/London.", default="UTC")


class WheelTask(Model):
    package: Identifier
    entry_point: Identifier
    parameters: list[str] = []


class NotebookTask(Model):
    path: NonEmpty = doc("Notebook path in the release repository.")
    parameters: dict[str, str] = {}


class PythonFileTask(Model):
    path: NonEmpty = doc("Python file in the release repository.")
    parameters: list[str] = []


class Task(Model):
    key: Identifier
    depends_on: list[Identifier] = []
    contract: Identifier | None = doc("Makes this a generated data-contract check.", default=None)
    python_wheel: WheelTask | None = None
    notebook: NotebookTask | None = None
    python_file: PythonFileTask | None = None
    timeout_seconds: int | None = doc("Task timeout.", default=None, ge=60)

    @model_validator(mode="after")
    def _one_kind(self):
        kinds = [k for k in ("contract", "python_wheel", "notebook", "python_file")
                 if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError("a task has exactly one of `contract`, `python_wheel`, `notebook`, "
                             f"`python_file` (found {', '.join(kinds) or 'none'})")
        return self

    @property
    def kind(self) -> str:
        return next(k for k in ("contract", "python_wheel", "notebook", "python_file")
                    if getattr(self, k) is not None)


class Job(Model):
    name: Slug
    description: NonEmpty | None = None
    schedule: Schedule | None = doc("Omit for a job that only runs on demand.", default=None)
    max_concurrent_runs: int = doc("Runs of this job at once.", default=1, ge=1, le=10)
    timeout_seconds: int | None = doc("Whole-run timeout.", default=None, ge=60)
    tasks: list[Task] = Field(min_length=1)


class Serving(Model):
    workload_size: Literal["Small", "Medium", "Large"] = "Small"
    scale_to_zero: bool = True
    max_p95_latency_ms: int = doc("p95 latency over the last hour above this pages on-call (SQL alert on the "
                                  "inference table).", default=1000, ge=1, le=600_000)
    max_error_rate: float = doc("Share of requests answered 5xx over the last hour above this pages on-call.",
                                default=0.01, ge=0, le=1)


TableName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$")]


class Monitoring(Model):
    """A Lakehouse Monitoring inference-log profile of the model's predictions (databricks_quality_monitor)."""

    problem_type: Literal["classification", "regression"] = doc("What the model predicts.")
    training_table: TableName | None = doc(
        "catalog.schema.table of the training set: the baseline drift is measured against. It must carry the "
        "scored table's columns, so it needs `scored_table`.", default=None)
    scored_table: Identifier | None = doc(
        "Table the pilot's scoring writes in its own schema (<env catalog>.<pilot schema>.<name>), one row per "
        "prediction; a batch pilot's monitor watches it (a serving pilot's watches the inference table too).",
        default=None)
    timestamp_column: Identifier = doc("The scored table's prediction time column.", default="scored_at")
    prediction_column: Identifier = doc("The scored table's prediction column.", default="prediction")
    model_id_column: Identifier = doc("The scored table's model version column.", default="model_version")
    label_column: Identifier | None = doc("The scored table's ground-truth label column, once labels arrive.",
                                          default=None)


class ModelSpec(Model):
    name: Identifier = doc("Unity Catalog model name: <env catalog>.<pilot schema>.<name>.")
    serving: Serving | None = doc("Ask for a serving endpoint.", default=None)
    monitoring: Monitoring | None = doc("Drift and quality monitoring of the model's predictions.", default=None)


class Secrets(Model):
    keys: list[Identifier] = doc("Secret keys the pilot reads; values live only in the scope.")


class Slot(Model):
    version: Version | None = doc("Code version: a tag of release.repo.", default=None)
    model_version: int | None = doc("Registered model version this slot serves.", default=None, ge=1)


class Canary(Model):
    slot: Identifier = doc("The slot on canary traffic: never the environment's active slot.")
    percent: int = doc("Share of serving traffic it takes; the active slot takes the rest.", ge=1, le=50)


class ChangeRecord(Model):
    """The change the last release, cutover or rollback of one environment was made under."""

    ref: NonEmpty | None = doc(
        "The change reference (ticket id), e.g. CHG0012345; the environment's "
        "`change_control.ticket_pattern` says its format. Only an emergency rollback may leave it "
        "empty, until its retrospective change is raised (a warning until then).", default=None)
    action: Literal["release", "cutover", "rollback", "emergency_rollback"]
    date: Date
    outside_window: bool = doc("Made outside the environment's change windows (emergency only).",
                               default=False)


class Release(Model):
    strategy: Literal["single", "blue_green"] = "single"
    repo: Annotated[str, Field(pattern=r"^https://[^\s]+$", description="HTTPS git repository.")]
    git_provider: Literal["gitHub", "gitHubEnterprise", "gitLab", "gitLabEnterpriseEdition",
                          "bitbucketCloud", "bitbucketServer", "azureDevOpsServices",
                          "awsCodeCommit"] = doc("Git provider as Databricks names it.",
                                                 default="gitLabEnterpriseEdition")
    slots: dict[Identifier, Slot] = doc("`main` for single; `blue` and `green` for blue_green.")
    active: dict[EnvName, Identifier] = doc(
        "The active slot per environment: its jobs run on schedule, it is `champion` and takes the "
        "serving traffic the canary leaves.", default={})
    canary: dict[EnvName, Canary] = doc(
        "An optional canary per environment: another slot that takes `percent` of the serving "
        "traffic and runs its jobs on schedule too. Slots neither active nor canary are idle.",
        default={})
    changes: dict[EnvName, ChangeRecord] = doc(
        "The change record of the last release, cutover or rollback made under a change reference, "
        "per environment, written by those commands (`--change REF`, which protected environments "
        "require).", default={})


class TestReport(Model):
    kind: Literal["test_report"]
    version: Version
    path: NonEmpty = doc("A JUnit XML file under evidence/.")
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class RollbackRehearsal(Model):
    kind: Literal["rollback_rehearsal"]
    env: EnvName
    date: Date
    from_: Identifier = Field(alias="from")
    to: Identifier
    result: Literal["pass", "fail"]


class SecurityReview(Model):
    kind: Literal["security_review"]
    date: Date
    reviewer: Email
    result: Literal["pass", "fail"]


class ModelValidation(Model):
    kind: Literal["model_validation"]
    date: Date
    validator: Email
    model_version: int = Field(ge=1)
    result: Literal["pass", "fail"]


class MetricReading(Model):
    metric: Identifier = doc("A success metric of `intake.success_metrics`.")
    value: float = doc("The value measured at the end of the pilot, in the metric's unit.")


class OutcomeDecision(Model):
    """The end of the pilot phase: the readings of every success metric and the sponsor's decision."""

    kind: Literal["outcome_decision"]
    date: Date
    decided_by: Email = doc("Who decided: the pilot's executive sponsor.")
    decision: Literal["scale", "iterate", "stop"] = doc(
        "`scale`: on to staging and production; `iterate`: another pilot cycle; `stop`: decommission.")
    readings: list[MetricReading] = doc("One reading per success metric.", min_length=1)
    rationale: NonEmpty = doc("Why, in the sponsor's words.")


class Decommission(Model):
    """The pilot is retired after the sponsor's `stop`: every stack is destroyed, prod first, as one
    reviewed change; this file and its evidence stay."""

    date: Date
    ref: NonEmpty | None = doc(
        "Change reference the decommission is made under; each protected environment the pilot reached "
        "checks it against its `change_control.ticket_pattern`.", default=None)


Evidence = Annotated[Union[TestReport, RollbackRehearsal, SecurityReview, ModelValidation, OutcomeDecision],
                     Field(discriminator="kind")]


class Approval(Model):
    gate: Phase
    approver: Email
    role: Identifier
    date: Date
    digest: Annotated[str, Field(pattern=r"^sha256:[0-9a-f]{64}$")] | None = None


class OverlayJob(Model):
    name: Slug
    schedule: Schedule | None = None
    max_concurrent_runs: int | None = Field(default=None, ge=1, le=10)
    timeout_seconds: int | None = Field(default=None, ge=60)


class OverlayModel(Model):
    serving: Serving | None = None


class OverlayCompute(Model):
    size: Identifier | None = None
    min_workers: int | None = Field(default=None, ge=0)
    max_workers: int | None = Field(default=None, ge=1)
    autotermination_minutes: int | None = Field(default=None, ge=10)
    node_types: list[NonEmpty] | None = Field(default=None, min_length=1)
    spark_version: NonEmpty | None = None


class OverlayContract(Model):
    """The same contract read from another table in this environment (e.g. a masked dev copy)."""

    name: Identifier
    table: Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$",
                                description="Unity Catalog table: catalog.schema.table.")]


class Overlay(Model):
    """What may differ per environment; everything else is the same everywhere."""

    compute: OverlayCompute | None = None
    jobs: list[OverlayJob] = []
    model: OverlayModel | None = None
    data_contracts: list[OverlayContract] = doc(
        "Per-environment source tables, so lower environments need not read production data.",
        default=[])


class Pilot(Model):
    api_version: ApiVersion = Field(alias="apiVersion")
    kind: Literal["Pilot"]
    name: Slug = doc("Stack and construct ids derive from it: never rename a running pilot.")
    title: NonEmpty
    description: NonEmpty | None = None
    template: Slug = doc("The template under catalog/templates/ it came from.")
    template_version: Annotated[str, Field(pattern=r"^[0-9]+\.[0-9]+\.[0-9]+$")] | None = doc(
        "Version of the template it was rendered from.", default=None)
    phase: Phase = doc("pilot: dev only; staging: up to staging; production: every environment.")
    cost_center: NonEmpty = doc("Charged for the pilot's compute; a required cluster tag.")
    data_classification: DataClassification = doc("Highest classification of data it touches.")
    tags: dict[Identifier, NonEmpty] = doc("Extra tags on clusters and jobs.", default={})
    owners: Owners
    intake: Intake
    data_contracts: list[DataContract] = []
    compute: Compute
    jobs: list[Job] = []
    sla: Sla | None = doc("Service level of the pilot's jobs; omit for no duration warning.", default=None)
    model: ModelSpec | None = None
    secrets: Secrets | None = None
    release: Release
    evidence: list[Evidence] = []
    approvals: list[Approval] = []
    decommission: Decommission | None = doc(
        "Retire the pilot (needs the latest outcome decision to be `stop`, PF224): synth builds none of its "
        "stacks, so CI plans their destruction, prod first; its file and evidence stay.", default=None)
    overrides: dict[EnvName, Overlay] = doc("Per-environment overlay, applied last.", default={})

    @property
    def inventory_id(self) -> str:
        """Stable id of the pilot's model in the model inventory: catalog names only, like every
        stack id. Only meaningful when the pilot has a model."""
        return f"{self.name}/{self.model.name}" if self.model else self.name


class ModelDefaults(Model):
    name: Identifier | None = None
    serving: Serving | None = None


class PilotDefaults(Model):
    """What a template may preset for its pilots; every key is optional and the pilot file wins."""

    compute: OverlayCompute | None = None
    jobs: list[Job] = []
    sla: Sla | None = None
    model: ModelDefaults | None = None
    secrets: Secrets | None = None
    data_classification: DataClassification | None = None
    tags: dict[Identifier, NonEmpty] = {}
