"""Stable diagnostic codes, each with its one-line explanation (for `pilotfactory codes`).

Never renumber: users grep for them and CI logs keep them. One table: a code and what it means
are declared together, so neither can exist without the other.
"""
from __future__ import annotations

__all__ = ["Code", "DiagnosticCode", "all_codes"]


class DiagnosticCode(str):
    """A code such as `PF201`; compares, hashes and prints as the plain string."""

    explanation: str

    def __new__(cls, code: str, explanation: str) -> "DiagnosticCode":
        made = super().__new__(cls, code)
        made.explanation = explanation
        return made


def _code(code: str, explanation: str) -> DiagnosticCode:
    return DiagnosticCode(code, explanation)


class Code:
    # PF0xx: reading a file
    TOO_LARGE = _code("PF001", "A catalog file is over 1 MiB; split it.")
    UNREADABLE = _code("PF002", "A catalog file cannot be read.")
    ENCODING = _code("PF003", "A catalog file is not UTF-8.")
    EMPTY = _code("PF004", "A catalog file holds no document.")
    TAB = _code("PF005", "Tabs in indentation; YAML indents with spaces.")
    SYNTAX = _code("PF006", "The file is not valid YAML.")
    DUPLICATE_KEY = _code("PF007", "A key appears twice in one mapping; YAML would keep only the last.")
    ANCHOR = _code("PF008", "Anchors and aliases hide where a value comes from; write values out.")
    TAG = _code("PF009", "Explicit YAML tags (`!!python/...`, `!custom`) are refused.")
    NOT_MAPPING = _code("PF010", "The top level of a catalog file must be a mapping.")
    LITERAL_SECRET = _code("PF011",
                            "A literal secret value; declare the key, keep the value in the secret scope.")
    YAML11 = _code("PF012", "A plain value that YAML 1.1 tools read as a boolean or number; quote it.")

    # PF1xx: the shape of a document
    UNKNOWN_KEY = _code("PF101", "A key the schema does not know (often a typo).")
    MISSING_KEY = _code("PF102", "A required key is missing.")
    WRONG_TYPE = _code("PF103", "A value has the wrong type.")
    BAD_VALUE = _code("PF104", "A value is outside what the schema allows (pattern, enum, range).")
    WRONG_KIND = _code("PF105", "`apiVersion`/`kind` do not match the file's place in the repository.")
    FILE_NAME = _code("PF106", "A pilot file's name differs from the pilot's `name`.")
    MISSING_FILE = _code("PF107", "A required configuration file is missing.")
    RETIRED_KEY = _code("PF108", "A key an earlier catalog version used; the message names what replaced it.")

    # PF2xx: rules across fields and files
    UNKNOWN_TASK = _code("PF201", "`depends_on` names a task that the job does not have.")
    TASK_CYCLE = _code("PF202", "Tasks of a job depend on each other in a cycle.")
    UNKNOWN_CONTRACT = _code("PF203", "A `contract_check` task names a contract the pilot does not declare.")
    UNKNOWN_SIZE = _code("PF204", "A compute size that `config/standards.yaml` does not define.")
    SAME_GROUPS = _code("PF205",
                         "Builders and approvers are the same group: a maker would approve their own change.")
    UNKNOWN_ENV = _code("PF206", "An environment name that `config/environments.yaml` does not define.")
    BAD_SLOT = _code("PF207", "A release slot name or active slot is not one of the declared slots.")
    BAD_VERSION = _code("PF208", "A release version is not a well-formed tag (v1.2.3).")
    BAD_CRON = _code("PF209", "A schedule is not a valid Quartz cron expression.")
    DUPLICATE_NAME = _code("PF210", "Two items share a name that must be unique.")
    LOOSENS_STANDARD = _code("PF211", "A pilot tries to loosen a platform standard; pilots may only tighten.")
    UNKNOWN_TEMPLATE = _code("PF212", "A pilot names a template that `catalog/templates/` does not have.")
    MISSING_ARTIFACTS = _code("PF213", "A wheel task needs an artifact location in the environment.")
    UNKNOWN_COLUMN = _code("PF214", "A contract's freshness column is not in its schema.")
    NO_VERSION = _code("PF215", "A release slot that must run has no version.")
    SERVING_WITHOUT_MODEL = _code("PF216", "Serving is asked for without a model version to serve.")
    ENV_LAYOUT = _code("PF217", "The environments do not form one promotion path dev -> ... -> prod.")
    UNKNOWN_TIMEZONE = _code("PF218", "A schedule's timezone is not an IANA time zone.")
    UNKNOWN_GROUP = _code("PF219", "A group that config/roles.yaml does not declare.")
    AMBIGUOUS_STACK_NAME = _code("PF228",
                                 "A pilot name whose stack names do not read back as that pilot and environment "
                                 "(it ends in `-<env>`, or `<pilot>-<env>` reads as another pilot's stack).")
    UNKNOWN_JOB = _code("PF220",
                         "An environment overlay names a job or data contract the pilot does not have.")
    OPEN_IP_ACCESS_LIST = _code("PF240",
                                 "An IP allow list holds 0.0.0.0/0 or ::/0, which lets the whole internet in.")
    NO_SQL_WAREHOUSE = _code("PF241",
                              "An environment has no `sql_warehouse_id`: its pilots get no SQL alerts and no dashboard (warning).")
    BUILDERS_MANAGE_PROTECTED = _code("PF242",
                                      "Builders may manage jobs in a protected environment: makers could change what checkers approved.")
    AUDIT_LOGS_OFF = _code("PF243", "Verbose audit logs are off in a protected environment.")
    BUILDERS_ARE_ADMINS = _code("PF244",
                                "A pilot's builders group is the platform admins group: makers would administer every workspace.")
    NO_ON_CALL_GROUP = _code("PF245", "A pilot whose on-call acts (runs jobs, a protected environment, blue/green "
                             "rollback) names no `owners.on_call_group`: on-call's access needs a workspace group.")
    PROFILE_NODE_TYPE = _code("PF246", "A size tier allows a node type whose instance family the compliance security "
                              "profile of an environment does not run: clusters there would not start.")
    SPONSOR_IS_MAKER = _code("PF249", "A pilot's executive sponsor is a member of its builders group: the sponsor "
                             "decides whether the pilot scales, and makers never decide on their own work.")
    SIGNER_NOT_MEMBER = _code("PF248", "A principal of the allowed-signers file is not a member of any group "
                              "in config/roles.yaml (or is a pattern): a key no one governs could sign approvals.")
    MONITOR_WITHOUT_TABLE = _code("PF222", "A model's monitoring names a baseline or nothing to watch: a batch pilot "
                                  "needs `scored_table`, and a training-set baseline needs it too.")
    RESTRICTED_PLACEMENT = _code("PF223", "A pilot classified `restricted` reaches an environment whose catalog is "
                                 "not approved for restricted data (no `restricted_catalog` in config/environments.yaml).")
    DECOMMISSION = _code("PF224", "A pilot is marked `decommission` without the executive sponsor's latest "
                         "outcome decision being `stop`.")
    AMBIGUOUS_DAY_OF_WEEK = _code("PF221",
                                  "A cron day-of-week written in numbers: in Quartz 1 is Sunday, not Monday (warning).")
    BAD_CHANGE_CONTROL = _code("PF260", "A change window, freeze or change-reference pattern cannot be read "
                               "(no such date, end before start, unknown time zone, invalid pattern).")
    NO_CHANGE_WINDOWS = _code("PF261", "A protected environment declares no change windows: changes "
                              "deploy to it at any time.")
    BAD_CHANGE_REF = _code("PF262", "A recorded change reference does not match the format its environment asks "
                           "for (`change_control.ticket_pattern`), or names an environment that does not exist.")
    EMERGENCY_CHANGE_OPEN = _code("PF263", "An emergency rollback is recorded without a change reference: raise the "
                                  "retrospective change and record its reference (warning).")
    UNKNOWN_CONTROL_CHECK = _code("PF270", "The control catalog (config/controls.yaml) maps a gate criterion or "
                                  "guardrail that does not exist.")
    UNMAPPED_CHECK = _code("PF271", "A gate criterion or guardrail maps to no control in config/controls.yaml: its "
                           "evidence satisfies no control an auditor can find (warning).")

    # PF3xx: gates: the phase a pilot declares must be earned with evidence and approvals
    PHASE_NOT_EARNED = _code("PF301",
                              "A pilot declares a phase its gates do not grant; synth builds no stack for the unearned environments.")
    INTAKE = _code("PF302",
                    "An intake criterion (scores, required owners, success metrics, model-risk review) fails.")
    CONTRACT_INCOMPLETE = _code("PF303",
                                 "A data contract lacks schema, freshness or quality, which leaving `pilot` needs.")
    OWNERS_INCOMPLETE = _code("PF304",
                               "A pilot's builders or approvers group has no members in config/roles.yaml.")
    SEGREGATION = _code("PF305",
                         "Segregation of duties: a maker approves, approver groups overlap builders, or one person holds two required roles.")
    SECURITY_REVIEW = _code("PF306", "No passing security review.")
    TEST_EVIDENCE = _code("PF307",
                           "A version that will run lacks a passing test report: missing, tampered (sha256) or failing JUnit.")
    ROLLBACK_REHEARSAL = _code("PF308",
                                "No passing rollback rehearsal recent enough in the environment gates.yaml names.")
    APPROVAL_MISSING = _code("PF309", "A role that gates.yaml requires has not approved.")
    APPROVAL_STALE = _code("PF310",
                            "An approval's digest does not match the pilot's content: it changed since it was approved.")
    MODEL_VALIDATION = _code("PF311",
                              "A model version that will run lacks a passing independent model validation.")
    FUTURE_DATE = _code("PF312", "Evidence or an approval is dated after today.")
    APPROVAL_UNSIGNED = _code("PF313", "An approval whose line was not committed, signed, by the approver "
                              "alone (config/gates.yaml `approvals.verify`).")
    EVIDENCE_AGING = _code("PF320",
                           "Warning: evidence ages out soon (gates.yaml `evidence_warning_days`), or has, under content approved while it was fresh.")
    OUTCOME = _code("PF321", "Leaving `pilot` needs the executive sponsor's recorded outcome decision to scale, "
                    "with a reading of every success metric (evidence `outcome_decision`).")

    # PF4xx: release commands (release, cutover, rollback, rehearse) refusing a slot change
    UNKNOWN_PILOT = _code("PF401", "A command names a pilot that catalog/pilots/ does not define.")
    ENV_NOT_REACHED = _code("PF402", "A command names an environment the pilot's phase does not reach.")
    NOT_BLUE_GREEN = _code("PF403",
                            "Cutover, rollback and rehearse need `release.strategy: blue_green` (a single-slot "
                            "pilot releases, and rolls back, by `release` of a version).")
    SLOT_NOT_READY = _code("PF404",
                            "A cutover or rollback targets a slot with no version: nothing to run there.")
    SLOT_IS_LIVE = _code("PF405",
                          "A new version goes only to a slot that is standby everywhere; this one is live somewhere.")
    CUTOVER_UNTESTED = _code("PF406",
                              "A cutover in a protected environment to a version without a passing test report.")
    REHEARSAL_FAILED = _code("PF407",
                              "A rehearsed cutover or rollback would create or destroy resources, or not restore the stack.")
    NO_MODEL = _code("PF408", "`--model-version` for a pilot that declares no model.")
    CHANGED_ON_DISK = _code("PF409", "The pilot file changed on disk after it was read; nothing written: "
                            "run the command again.")
    SINGLE_RELEASE_ENV = _code("PF410", "A single-slot pilot's version goes live in every environment it "
                               "reaches at once: `release` names the last of them.")

    # PF5xx: scaffolding a pilot from a template
    BAD_PARAMETER = _code("PF501", "A template parameter value breaks its type, enum, pattern or range.")
    MISSING_PARAMETER = _code("PF502",
                               "A required template parameter was not given (and no terminal to ask).")
    UNKNOWN_PARAMETER = _code("PF503", "`--set` names a parameter the template does not declare.")
    TEMPLATE_RENDER = _code("PF504", "A template's pilot.yaml.j2 does not render.")
    PILOT_EXISTS = _code("PF505", "`pilotfactory new` refuses to overwrite an existing pilot file.")


def all_codes() -> list[DiagnosticCode]:
    """Every declared code, in code order."""
    return sorted(v for v in vars(Code).values() if isinstance(v, DiagnosticCode))
