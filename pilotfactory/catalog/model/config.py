"""Platform configuration under config/: environments, standards, roles and gates."""
from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field, StringConstraints, model_validator

from pilotfactory.catalog.model.pilot import PilotDefaults
from pilotfactory.catalog.model.security import AuditLogDelivery, Security
from pilotfactory.catalog.model.fields import (
    ApiVersion, Email, EnvName, GroupName, Identifier, JobLevel, Model, NonEmpty, Phase, Uuid, doc,
)

# ---- environments.yaml -------------------------------------------------------------------


class NewWorkspace(Model):
    """A workspace the `account` stack creates (AWS, account-level provider)."""

    workspace_name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{2,62}$")]
    deployment_name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{2,62}$",
                                          description="Gives the host https://<deployment_name>.cloud.databricks.com.")]
    region: Annotated[str, Field(pattern=r"^[a-z]{2}-[a-z]+-[0-9]$")]
    credentials_id: Uuid
    storage_configuration_id: Uuid
    network_id: Uuid | None = None
    pricing_tier: Literal["PREMIUM", "ENTERPRISE"] = "ENTERPRISE"


class Workspace(Model):
    host: Annotated[str, Field(pattern=r"^https://[A-Za-z0-9.-]+(:[0-9]+)?/?$")] | None = doc(
        "An existing workspace.", default=None)
    create: NewWorkspace | None = doc("A workspace to create at account level.", default=None)
    id: Annotated[int, Field(ge=1)] | None = doc(
        "Workspace id of an existing workspace: the `account` stack assigns the managed groups to it.",
        default=None)

    @model_validator(mode="after")
    def _one(self):
        if (self.host is None) == (self.create is None):
            raise ValueError("a workspace has exactly one of `host` (existing) or `create` (new)")
        return self

    @property
    def url(self) -> str:
        if self.host:
            return self.host.rstrip("/")
        return f"https://{self.create.deployment_name}.cloud.databricks.com"


class ServicePrincipal(Model):
    application_id: Uuid = doc("The service principal's application id; jobs run as it.")
    display_name: NonEmpty


class LocalBackend(Model):
    type: Literal["local"]
    directory: NonEmpty = doc("State folder, relative to the repository root.", default="state")


class S3Backend(Model):
    type: Literal["s3"]
    bucket: NonEmpty
    region: NonEmpty
    key_prefix: NonEmpty = "pilotfactory"
    dynamodb_table: NonEmpty | None = doc("Lock table; omit to use S3 native locking.", default=None)
    encrypt: bool = True


class AzurermBackend(Model):
    type: Literal["azurerm"]
    resource_group_name: NonEmpty
    storage_account_name: NonEmpty
    container_name: NonEmpty
    key_prefix: NonEmpty = "pilotfactory"


class GcsBackend(Model):
    type: Literal["gcs"]
    bucket: NonEmpty
    prefix: NonEmpty = "pilotfactory"


class CloudBackend(Model):
    type: Literal["cloud"]
    organization: NonEmpty
    hostname: NonEmpty = "app.terraform.io"
    project: NonEmpty | None = None


Backend = Annotated[Union[LocalBackend, S3Backend, AzurermBackend, GcsBackend, CloudBackend],
                    Field(discriminator="type")]


class Access(Model):
    """Job permission level each pilot group gets in an environment."""

    builders: JobLevel
    approvers: JobLevel
    on_call: JobLevel


DEFAULT_ACCESS: dict[str, dict[str, str]] = {
    "pilot": {"builders": "CAN_MANAGE", "approvers": "CAN_VIEW", "on_call": "CAN_VIEW"},
    "staging": {"builders": "CAN_VIEW", "approvers": "CAN_VIEW", "on_call": "CAN_MANAGE_RUN"},
    "production": {"builders": "CAN_VIEW", "approvers": "CAN_MANAGE_RUN", "on_call": "CAN_MANAGE_RUN"},
}


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
ClockTime = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
                                 description="Local wall-clock time, HH:MM (24 h).")]


class ChangeWindow(Model):
    """A weekly window in which changes to the environment may be deployed."""

    days: list[Weekday] = Field(min_length=1, description="Days the window opens on.")
    start: ClockTime
    end: ClockTime = doc("Local time it closes; at or before `start` means the next day (overnight).")


class Freeze(Model):
    """Dates on which no change is deployed, whatever the windows say (first and last day included)."""

    start: str = Field(alias="from", description="First frozen day, YYYY-MM-DD.")
    end: str = Field(alias="to", description="Last frozen day, YYYY-MM-DD.")
    reason: NonEmpty


class ChangeControl(Model):
    """When a protected environment accepts changes, and what a change must reference."""

    timezone: NonEmpty = doc("IANA time zone the windows and freezes are read in, e.g. Europe/London.")
    windows: list[ChangeWindow] = Field(min_length=1, description="Weekly windows; outside them changes wait.")
    freezes: list[Freeze] = doc("Dated freezes, e.g. year-end; they close every window.", default=[])
    ticket_pattern: NonEmpty | None = doc(
        "Regular expression a change reference must match in full, e.g. ^CHG[0-9]{7}$.", default=None)


class Environment(Model):
    min_phase: Phase = doc("The lowest pilot phase deployed here.")
    workspace: Workspace
    catalog: Identifier = doc("Unity Catalog catalog holding pilot schemas and models.")
    restricted_catalog: Identifier | None = doc(
        "Catalog approved for restricted data (its own grants, storage and audit): pilots classified "
        "`restricted` are placed there, and refused where there is none (PF223). May name `catalog` "
        "itself when that whole catalog is approved.", default=None)
    run_as: ServicePrincipal
    artifacts: NonEmpty = doc("Where release wheels live, e.g. /Volumes/<catalog>/<schema>/<volume>.")
    protected: bool = doc("Destroy needs an explicit decommission.", default=False)
    backend: Backend = doc("Terraform state for every stack of this environment.",
                           default=LocalBackend(type="local"))
    access: Access | None = doc("Job levels per group; defaults follow min_phase.", default=None)
    security: Security = doc("Workspace security baseline (platform stack); see model/security.py.",
                             default=Security())
    sql_warehouse_id: Annotated[str, Field(pattern=r"^[0-9a-f]{16}$")] | None = doc(
        "SQL warehouse (its 16-hex-digit id) for SQL alerts and dashboards; `preflight` checks it exists.",
        default=None)
    change_control: ChangeControl | None = doc(
        "Change windows, freezes and change references; none: changes deploy at any time.", default=None)

    @property
    def job_access(self) -> Access:
        return self.access or Access(**DEFAULT_ACCESS[self.min_phase])


class Account(Model):
    id: Uuid = doc("Databricks account id (an identifier, not a secret).")
    host: Annotated[str, Field(pattern=r"^https://[A-Za-z0-9.-]+/?$")] = "https://accounts.cloud.databricks.com"
    backend: Backend | None = doc("State of the `account` stack; default: the last environment's.",
                                  default=None)
    audit_logs: AuditLogDelivery | None = doc("Deliver account-wide audit logs (verbose JSON) to storage.",
                                              default=None)
    metastore_id: Uuid | None = doc("Unity Catalog metastore the `account` stack assigns to each workspace it "
                                    "creates; needed when one is created.", default=None)


class Environments(Model):
    api_version: ApiVersion = Field(alias="apiVersion")
    kind: Literal["Environments"]
    account: Account | None = doc("Needed when a workspace is created.", default=None)
    environments: dict[EnvName, Environment] = doc("In promotion order.", min_length=1)

    @property
    def account_backend(self) -> Backend:
        """The `account` stack's state: its own setting, else the last (most protected) environment's."""
        if self.account is not None and self.account.backend is not None:
            return self.account.backend
        return list(self.environments.values())[-1].backend

# ---- standards.yaml ----------------------------------------------------------------------


class NodeType(Model):
    dbu_per_hour: float = doc("DBU rate of one node, for cost ceilings.", gt=0)


class SizeTier(Model):
    min_workers: int = Field(ge=0)
    max_workers: int = Field(ge=1)
    node_types: list[NonEmpty] = doc("Allowed node types, a subset of the standard list.", min_length=1)

    @model_validator(mode="after")
    def _order(self):
        if self.min_workers > self.max_workers:
            raise ValueError(f"min_workers ({self.min_workers}) is above max_workers ({self.max_workers})")
        return self


class Libraries(Model):
    """The library allow list: what every cluster policy installs, and what Unity Catalog lets clusters load."""

    pypi: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*==[A-Za-z0-9][A-Za-z0-9.+!-]*$")]] = doc(
        "PyPI packages pinned to one version: name==version.", default=[])
    maven: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+:[A-Za-z0-9_.+-]+$")]] = doc(
        "Maven coordinates group:artifact:version.", default=[])
    jar: list[Annotated[str, Field(pattern=r"^/Volumes/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/\S+\.jar$")]] = doc(
        "JAR files in Unity Catalog volumes (/Volumes/<catalog>/<schema>/<volume>/...jar).", default=[])


class InferenceRetention(Model):
    """Days inference-table rows are kept, one number per data classification (the provider sets none)."""

    public: int = Field(ge=1)
    internal: int = Field(ge=1)
    confidential: int = Field(ge=1)
    restricted: int = Field(ge=1)


class Standards(Model):
    api_version: ApiVersion = Field(alias="apiVersion")
    kind: Literal["Standards"]
    spark_versions: list[Annotated[str, Field(pattern=r"^[0-9]+\.[0-9]+\.x(-[a-z0-9]+)*-scala[0-9.]+$")]] = doc(
        "LTS Databricks Runtime versions; the first is the default.", min_length=1)
    node_types: dict[NonEmpty, NodeType] = doc("Every node type allowed anywhere.", min_length=1)
    autotermination_minutes: int = doc("Fixed in every policy; pilots may shorten it.", ge=10, le=240)
    data_security_mode: Literal["SINGLE_USER", "USER_ISOLATION", "DATA_SECURITY_MODE_DEDICATED",
                                "DATA_SECURITY_MODE_STANDARD"] = "SINGLE_USER"
    required_tags: list[Identifier] = doc("Fixed on every cluster.",
                                          default=["cost_center", "pilot", "env", "data_classification"])
    sizes: dict[Identifier, SizeTier] = doc("Size tiers pilots choose from.", min_length=1)
    max_concurrent_runs: int = doc("Upper bound for any job.", default=3, ge=1)
    libraries: Libraries | None = doc(
        "Library allow list: every cluster policy installs it; Maven and JAR entries become the metastore's "
        "artifact allowlist (platform stack of the production environment).", default=None)
    inference_retention_days: InferenceRetention | None = doc(
        "Days a serving pilot's inference-table rows are kept, per data classification; a daily job of "
        "the pilot stack deletes older rows. None: rows are kept for ever.", default=None)

# ---- roles.yaml --------------------------------------------------------------------------


class Group(Model):
    description: NonEmpty | None = None
    members: list[Email] = doc("People in the group, for segregation-of-duties checks.", default=[])
    managed: bool = doc("Created by the platform stacks (else synced from the identity provider).",
                        default=False)


class Roles(Model):
    api_version: ApiVersion = Field(alias="apiVersion")
    kind: Literal["Roles"]
    platform_admins: GroupName = doc("Group that administers every workspace; MANAGE on scopes.")
    roles: dict[Identifier, GroupName] = doc("Control roles (security, compliance, model_risk) to groups.")
    groups: dict[GroupName, Group] = doc("Every group the catalog names.")
    code_owner_prefix: NonEmpty = doc("Turns a group into a CODEOWNERS owner: `@` for GitLab groups, "
                                      "`@org/` for GitHub teams.", default="@")

# ---- gates.yaml --------------------------------------------------------------------------


class IntakeGate(Model):
    min_value_score: int = Field(ge=1, le=5)
    min_data_readiness_score: int = Field(ge=1, le=5)
    model_risk_review_above: int = doc("Risk score above which a model-risk review is required.", ge=1, le=5)
    model_risk_role: Identifier = doc("Role whose approval (gate `pilot`) that review is.", default="model_risk")
    required: list[Literal["executive_sponsor", "product_owner", "pmo_lead", "success_metrics"]] = [
        "executive_sponsor", "product_owner", "success_metrics"]


class RehearsalRule(Model):
    env: EnvName
    max_age_days: int = Field(ge=1)


class ExitGate(Model):
    outcome_decision: bool = doc(
        "The executive sponsor recorded readings of every success metric and decided to scale "
        "(evidence `outcome_decision`).", default=False)
    data_contracts_complete: bool = False
    owners_complete: bool = False
    security_review: bool = False
    test_reports: bool = doc("A passing test_report for every version that will run.", default=False)
    rollback_rehearsal: RehearsalRule | None = None
    approvals: list[Identifier] = doc("Roles from roles.yaml that must approve.", default=[])
    segregation_of_duties: bool = doc("Builders and approvers share no member (config/roles.yaml).",
                                      default=False)
    model_validation_tiers: list[Annotated[int, Field(ge=1, le=3)]] = doc(
        "Model-risk tiers whose every model version that will run needs a passing model_validation.",
        default=[])


class EvidenceSigners(Model):
    security_review: Identifier = doc(
        "Role (config/roles.yaml) whose current members may sign a security_review; never a builder "
        "or the product owner of the pilot.", default="security")
    model_validation: Identifier = doc(
        "Role whose current members may sign a model_validation; never a builder or the product owner.",
        default="model_risk")


class ApprovalPolicy(Model):
    verify: Literal["signature", "author", "none"] = doc(
        "What makes an approval the approver's own act. `signature`: the commit that introduced its "
        "line is signed (git SSH signing) by the approver's key in `allowed_signers` and changes "
        "nothing but approvals; `author`: that commit's author is the approver (trusts the forge); "
        "`none`: the file alone (for banks whose forge's protected reviews are the record). "
        "Needs full git history: CI must not clone shallow.", default="signature")
    allowed_signers: NonEmpty = doc(
        "Repository path of the git allowed-signers file (`email namespaces=\"git\" ssh-ed25519 ...`); "
        "its principals are members of config/roles.yaml.", default="config/allowed_signers")


class Gates(Model):
    api_version: ApiVersion = Field(alias="apiVersion")
    kind: Literal["Gates"]
    intake: IntakeGate
    approvals: ApprovalPolicy = doc("How an approval is verified as the approver's own act.",
                                    default=ApprovalPolicy())
    evidence_signers: EvidenceSigners = doc(
        "The control function whose members may sign each kind of evidence.", default=EvidenceSigners())
    exits: dict[Literal["staging", "production"], ExitGate] = doc("What entering each phase requires.")
    evidence_warning_days: int = doc("Warn this many days before evidence ages out (gates, synth, review).",
                                     default=30, ge=0)

# ---- controls.yaml (optional) -------------------------------------------------------------

ControlId = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$", max_length=32)]
# A gate criterion as config/controls.yaml names it: `intake.<criterion>` or an exit-gate key.
CriterionKey = Annotated[str, StringConstraints(pattern=r"^(intake\.)?[a-z][a-z0-9_]{0,62}$")]
GuardrailId = Annotated[str, StringConstraints(pattern=r"^PFG[0-9]{3}$")]


class Control(Model):
    title: NonEmpty = doc("The control's name in the bank's control framework.")
    objective: NonEmpty = doc("What the control holds true, as the control owner words it.")
    owner: Identifier | None = doc("Role (config/roles.yaml) that owns the control.", default=None)
    criteria: list[CriterionKey] = doc(
        "Gate criteria whose results are evidence for it: `intake.<criterion>` (value_score, "
        "data_readiness_score, required, model_risk_review) or an exit-gate key of config/gates.yaml.",
        default=[])
    guardrails: list[GuardrailId] = doc("Guardrail rules (PFG ids) whose results are evidence for it.",
                                        default=[])


class Controls(Model):
    api_version: ApiVersion = Field(alias="apiVersion")
    kind: Literal["Controls"]
    framework: NonEmpty = doc("The control framework the ids belong to, as auditors name it.")
    controls: dict[ControlId, Control] = doc("Every control, by its id in the framework.", min_length=1)


# ---- catalog/templates/<name>/template.yaml ---------------------------------------------


class Parameter(Model):
    type: Literal["string", "integer", "number", "boolean"]
    description: NonEmpty
    default: str | int | float | bool | None = None
    required: bool = False
    enum: list[str | int | float] | None = None
    pattern: NonEmpty | None = None
    pattern_message: NonEmpty | None = doc("Shown when the pattern does not match.", default=None)
    min: float | None = None
    max: float | None = None


class Template(Model):
    api_version: ApiVersion = Field(alias="apiVersion")
    kind: Literal["Template"]
    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{2,39}$")]
    title: NonEmpty
    description: NonEmpty
    version: Annotated[str, Field(pattern=r"^[0-9]+\.[0-9]+\.[0-9]+$")]
    parameters: dict[Identifier, Parameter] = {}
    defaults: PilotDefaults = doc("Pilot fields preset for every pilot of this template.",
                                  default=PilotDefaults())
