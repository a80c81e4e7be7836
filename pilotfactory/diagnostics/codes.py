"""Stable diagnostic codes. Never renumber: users grep for them and CI logs keep them."""
from __future__ import annotations


class Code:
    # PF0xx: reading a file
    TOO_LARGE = "PF001"
    UNREADABLE = "PF002"
    ENCODING = "PF003"
    EMPTY = "PF004"
    TAB = "PF005"
    SYNTAX = "PF006"
    DUPLICATE_KEY = "PF007"
    ANCHOR = "PF008"
    TAG = "PF009"
    NOT_MAPPING = "PF010"
    LITERAL_SECRET = "PF011"
    YAML11 = "PF012"

    # PF1xx: the shape of a document
    UNKNOWN_KEY = "PF101"
    MISSING_KEY = "PF102"
    WRONG_TYPE = "PF103"
    BAD_VALUE = "PF104"
    WRONG_KIND = "PF105"
    FILE_NAME = "PF106"
    MISSING_FILE = "PF107"

    # PF2xx: rules across fields and files
    UNKNOWN_TASK = "PF201"
    TASK_CYCLE = "PF202"
    UNKNOWN_CONTRACT = "PF203"
    UNKNOWN_SIZE = "PF204"
    SAME_GROUPS = "PF205"
    UNKNOWN_ENV = "PF206"
    BAD_SLOT = "PF207"
    BAD_VERSION = "PF208"
    BAD_CRON = "PF209"
    DUPLICATE_NAME = "PF210"
    LOOSENS_STANDARD = "PF211"
    UNKNOWN_TEMPLATE = "PF212"
    MISSING_ARTIFACTS = "PF213"
    UNKNOWN_COLUMN = "PF214"
    NO_VERSION = "PF215"
    SERVING_WITHOUT_MODEL = "PF216"
    ENV_LAYOUT = "PF217"
    UNKNOWN_TIMEZONE = "PF218"
    UNKNOWN_GROUP = "PF219"
    UNKNOWN_JOB = "PF220"
    OPEN_IP_ACCESS_LIST = "PF240"
    NO_SQL_WAREHOUSE = "PF241"

    # PF3xx: gates: the phase a pilot declares must be earned with evidence and approvals
    PHASE_NOT_EARNED = "PF301"
    INTAKE = "PF302"
    CONTRACT_INCOMPLETE = "PF303"
    OWNERS_INCOMPLETE = "PF304"
    SEGREGATION = "PF305"
    SECURITY_REVIEW = "PF306"
    TEST_EVIDENCE = "PF307"
    ROLLBACK_REHEARSAL = "PF308"
    APPROVAL_MISSING = "PF309"
    APPROVAL_STALE = "PF310"
    MODEL_VALIDATION = "PF311"
    FUTURE_DATE = "PF312"

    # PF4xx: release commands (release, cutover, rollback, rehearse) refusing a slot change
    UNKNOWN_PILOT = "PF401"
    ENV_NOT_REACHED = "PF402"
    NOT_BLUE_GREEN = "PF403"
    SLOT_NOT_READY = "PF404"
    SLOT_IS_LIVE = "PF405"
    CUTOVER_UNTESTED = "PF406"
    REHEARSAL_FAILED = "PF407"
    NO_MODEL = "PF408"

    # PF5xx: scaffolding a pilot from a template
    BAD_PARAMETER = "PF501"
    MISSING_PARAMETER = "PF502"
    UNKNOWN_PARAMETER = "PF503"
    TEMPLATE_RENDER = "PF504"
    PILOT_EXISTS = "PF505"


# One line each, for `pilotfactory codes` and the catalog reference.
EXPLANATIONS: dict[str, str] = {
    Code.TOO_LARGE: "A catalog file is over 1 MiB; split it.",
    Code.UNREADABLE: "A catalog file cannot be read.",
    Code.ENCODING: "A catalog file is not UTF-8.",
    Code.EMPTY: "A catalog file holds no document.",
    Code.TAB: "Tabs in indentation; YAML indents with spaces.",
    Code.SYNTAX: "The file is not valid YAML.",
    Code.DUPLICATE_KEY: "A key appears twice in one mapping; YAML would keep only the last.",
    Code.ANCHOR: "Anchors and aliases hide where a value comes from; write values out.",
    Code.TAG: "Explicit YAML tags (`!!python/...`, `!custom`) are refused.",
    Code.NOT_MAPPING: "The top level of a catalog file must be a mapping.",
    Code.LITERAL_SECRET: "A literal secret value; declare the key, keep the value in the secret scope.",
    Code.YAML11: "A plain value that YAML 1.1 tools read as a boolean or number; quote it.",
    Code.UNKNOWN_KEY: "A key the schema does not know (often a typo).",
    Code.MISSING_KEY: "A required key is missing.",
    Code.WRONG_TYPE: "A value has the wrong type.",
    Code.BAD_VALUE: "A value is outside what the schema allows (pattern, enum, range).",
    Code.WRONG_KIND: "`apiVersion`/`kind` do not match the file's place in the repository.",
    Code.FILE_NAME: "A pilot file's name differs from the pilot's `name`.",
    Code.MISSING_FILE: "A required configuration file is missing.",
    Code.UNKNOWN_TASK: "`depends_on` names a task that the job does not have.",
    Code.TASK_CYCLE: "Tasks of a job depend on each other in a cycle.",
    Code.UNKNOWN_CONTRACT: "A `contract_check` task names a contract the pilot does not declare.",
    Code.UNKNOWN_SIZE: "A compute size that `config/standards.yaml` does not define.",
    Code.SAME_GROUPS: "Builders and approvers are the same group: a maker would approve their own change.",
    Code.UNKNOWN_ENV: "An environment name that `config/environments.yaml` does not define.",
    Code.BAD_SLOT: "A release slot name or active slot is not one of the declared slots.",
    Code.BAD_VERSION: "A release version is not a well-formed tag (v1.2.3).",
    Code.BAD_CRON: "A schedule is not a valid Quartz cron expression.",
    Code.DUPLICATE_NAME: "Two items share a name that must be unique.",
    Code.LOOSENS_STANDARD: "A pilot tries to loosen a platform standard; pilots may only tighten.",
    Code.UNKNOWN_TEMPLATE: "A pilot names a template that `catalog/templates/` does not have.",
    Code.MISSING_ARTIFACTS: "A wheel task needs an artifact location in the environment.",
    Code.UNKNOWN_COLUMN: "A contract's freshness column is not in its schema.",
    Code.NO_VERSION: "A release slot that must run has no version.",
    Code.SERVING_WITHOUT_MODEL: "Serving is asked for without a model version to serve.",
    Code.ENV_LAYOUT: "The environments do not form one promotion path dev -> ... -> prod.",
    Code.UNKNOWN_TIMEZONE: "A schedule's timezone is not an IANA time zone.",
    Code.UNKNOWN_GROUP: "A group that config/roles.yaml does not declare.",
    Code.UNKNOWN_JOB: "An environment overlay names a job or data contract the pilot does not have.",
    Code.OPEN_IP_ACCESS_LIST: "An IP allow list holds 0.0.0.0/0 or ::/0, which lets the whole internet in.",
    Code.NO_SQL_WAREHOUSE: "An environment has no `sql_warehouse_id`: its pilots get no SQL alerts and no dashboard (warning).",
    Code.PHASE_NOT_EARNED: "A pilot declares a phase its gates do not grant; synth builds no stack for the unearned environments.",
    Code.INTAKE: "An intake criterion (scores, required owners, success metrics, model-risk review) fails.",
    Code.CONTRACT_INCOMPLETE: "A data contract lacks schema, freshness or quality, which leaving `pilot` needs.",
    Code.OWNERS_INCOMPLETE: "A pilot's builders or approvers group has no members in config/roles.yaml.",
    Code.SEGREGATION: "Segregation of duties: a maker approves, approver groups overlap builders, or one person holds two required roles.",
    Code.SECURITY_REVIEW: "No passing security review.",
    Code.TEST_EVIDENCE: "A version that will run lacks a passing test report: missing, tampered (sha256) or failing JUnit.",
    Code.ROLLBACK_REHEARSAL: "No passing rollback rehearsal recent enough in the environment gates.yaml names.",
    Code.APPROVAL_MISSING: "A role that gates.yaml requires has not approved.",
    Code.APPROVAL_STALE: "An approval's digest does not match the pilot's content: it changed since it was approved.",
    Code.MODEL_VALIDATION: "A model version that will run lacks a passing independent model validation.",
    Code.FUTURE_DATE: "Evidence or an approval is dated after today.",
    Code.UNKNOWN_PILOT: "A command names a pilot that catalog/pilots/ does not define.",
    Code.ENV_NOT_REACHED: "A command names an environment the pilot's phase does not reach.",
    Code.NOT_BLUE_GREEN: "Release, cutover, rollback and rehearse need `release.strategy: blue_green`.",
    Code.SLOT_NOT_READY: "A cutover or rollback targets a slot with no version: nothing to run there.",
    Code.SLOT_IS_LIVE: "A new version goes only to a slot that is standby everywhere; this one is live somewhere.",
    Code.CUTOVER_UNTESTED: "A cutover in a protected environment to a version without a passing test report.",
    Code.REHEARSAL_FAILED: "A rehearsed cutover or rollback would create or destroy resources, or not restore the stack.",
    Code.NO_MODEL: "`--model-version` for a pilot that declares no model.",
    Code.BAD_PARAMETER: "A template parameter value breaks its type, enum, pattern or range.",
    Code.MISSING_PARAMETER: "A required template parameter was not given (and no terminal to ask).",
    Code.UNKNOWN_PARAMETER: "`--set` names a parameter the template does not declare.",
    Code.TEMPLATE_RENDER: "A template's pilot.yaml.j2 does not render.",
    Code.PILOT_EXISTS: "`pilotfactory new` refuses to overwrite an existing pilot file.",
}
