"""A stand-in Databricks workspace on 127.0.0.1: the REST paths databricks-sdk 0.162 calls, with state.

Only what the live commands use is served; anything else is a 404 like the real API gives for an
unknown path. Failures are injected per path prefix: `fail` answers an error instead of acting,
`fail_after` acts and then answers an error, `lose` acts and then hangs up without an answer (a
lost response); `delay` waits first. `tls` (cert, key) serves HTTPS.
"""
from __future__ import annotations

import hashlib
import json
import re
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

__all__ = ["FakeWorkspace"]


@dataclass
class FakeWorkspace:
    token: str
    spark_versions: list[str] = field(default_factory=list)
    node_types: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    members: dict[str, list[str]] = field(default_factory=dict)   # group -> user names; "group:NAME" nests one
    service_principals: list[str] = field(default_factory=list)   # application ids
    warehouses: dict[str, str] = field(default_factory=dict)      # id -> name
    jobs: dict[int, dict] = field(default_factory=dict)           # job id -> settings
    permissions: dict[int, list[dict]] = field(default_factory=dict)  # job id -> access_control_list
    endpoints: dict[str, dict] = field(default_factory=dict)      # name -> config
    gateways: dict[str, dict] = field(default_factory=dict)       # endpoint name -> its ai_gateway
    policies: dict[str, dict] = field(default_factory=dict)       # cluster policy id -> {name, definition}
    aliases: dict[str, dict[str, int]] = field(default_factory=dict)  # model full name -> alias -> version
    model_versions: dict[str, set[int]] = field(default_factory=dict)  # model full name -> registered versions
    catalogs: dict[str, str] = field(default_factory=dict)        # catalog name -> owner
    catalog_privileges: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # catalog -> principal -> privileges
    rule_sets: dict[str, list[dict]] = field(default_factory=dict)  # rule set name -> grant rules
    monitors: dict[str, dict] = field(default_factory=dict)       # table full name -> quality monitor
    artifact_allowlists: dict[str, list[str]] = field(default_factory=dict)  # artifact type -> artifacts
    admin: bool = True                                            # the caller is in `admins`
    metastore_id: str = "0c6f2a9e-3b71-4d58-a0e4-9f2b7c1d8e63"    # the workspace's assigned metastore
    system_schemas: dict[str, str] = field(default_factory=dict)  # system schema -> state ("" = AVAILABLE)
    metastore_admin: bool = True                                  # the caller may list system schemas
    uc_privileges: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # securable -> principal -> privileges
    sp_groups: dict[str, list[str]] = field(default_factory=dict)  # application id -> groups it is in
    page_size: int = 2
    fail: dict[str, list[int]] = field(default_factory=dict)      # path prefix -> statuses to answer first
    fail_after: dict[str, list[int]] = field(default_factory=dict)  # path prefix -> statuses to answer after acting
    lose: dict[str, int] = field(default_factory=dict)            # path prefix -> answers to drop after acting
    endpoint_permissions: dict[str, list[dict]] = field(default_factory=dict)  # endpoint name -> ACL
    model_owner: str = "sp-owner"
    user_groups: list[str] = field(default_factory=list)
    tls: tuple[str, str] | None = None                            # (certificate file, key file)
    delay: dict[str, float] = field(default_factory=dict)         # path prefix -> seconds before answering
    extra_fields: bool = False                                    # add fields no SDK version knows
    requests: list[tuple[str, str, Any]] = field(default_factory=list)  # (method, path, query or body)
    user: str = "oncall-bot@bank.example"

    def __post_init__(self):
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # ---- lifecycle ------------------------------------------------------------------------

    def start(self) -> str:
        workspace = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                workspace._handle(self, "GET")

            def do_POST(self):
                workspace._handle(self, "POST")

            def do_PUT(self):
                workspace._handle(self, "PUT")

            def do_PATCH(self):
                workspace._handle(self, "PATCH")

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # a client that timed out and hung up is what some tests are about

        self._server = Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        scheme = "http"
        if self.tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self.tls)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
            scheme = "https"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return f"{scheme}://127.0.0.1:{self._server.server_port}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def add_job(self, name: str, pause_status: str | None = None, **settings: Any) -> int:
        job_id = 1000 + len(self.jobs)
        values = {"name": name, **settings}
        if pause_status is not None:
            values["schedule"] = {"quartz_cron_expression": "0 0 * * * ?", "timezone_id": "UTC",
                                  "pause_status": pause_status, **values.get("schedule", {})}
        self.jobs[job_id] = values
        return job_id

    def calls(self, method: str, prefix: str) -> list[tuple[str, str, Any]]:
        return [r for r in self.requests if r[0] == method and r[1].startswith(prefix)]

    # ---- HTTP -----------------------------------------------------------------------------

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        url = urlsplit(h.path)
        path, query = unquote(url.path), {k: v[-1] for k, v in parse_qs(url.query).items()}
        length = int(h.headers.get("Content-Length") or 0)
        body = json.loads(h.rfile.read(length) or b"{}") if length else {}
        with self._lock:
            self.requests.append((method, path, body if method != "GET" else query))
            injected = next((self.fail[p].pop(0) for p in self.fail if path.startswith(p) and self.fail[p]), None)
        for prefix, seconds in self.delay.items():
            if path.startswith(prefix):
                time.sleep(seconds)
        if path == "/.well-known/databricks-config":
            return self._send(h, 404, {"error_code": "NOT_FOUND", "message": "no host metadata"})
        if h.headers.get("Authorization") != f"Bearer {self.token}":
            return self._send(h, 401, {"error_code": "UNAUTHENTICATED", "message": "Invalid access token."})
        if injected == 502:
            return self._gateway(h)
        if injected is not None:
            codes = {403: "PERMISSION_DENIED", 404: "RESOURCE_DOES_NOT_EXIST", 429: "REQUEST_LIMIT_EXCEEDED",
                     500: "INTERNAL_ERROR", 503: "TEMPORARILY_UNAVAILABLE"}
            headers = {"Retry-After": "0"} if injected in (429, 503) else {}
            return self._send(h, injected, {"error_code": codes.get(injected, "UNKNOWN"),
                                            "message": f"injected {injected}"}, headers)
        with self._lock:
            status, payload = self._route(method, path, query, body)
            after = next((self.fail_after[p].pop(0) for p in self.fail_after
                          if path.startswith(p) and self.fail_after[p]), None)
            lost = next((p for p in self.lose if path.startswith(p) and self.lose[p] > 0), None)
            if lost is not None:
                self.lose[lost] -= 1
        if lost is not None:
            h.close_connection = True
            return  # acted, then no answer at all: the client sees the connection close
        if after == 502:
            return self._gateway(h)
        if after is not None:
            return self._send(h, after, {"error_code": "INTERNAL_ERROR", "message": f"injected {after} after acting"})
        if self.extra_fields and isinstance(payload, dict):
            payload = {**payload, "x_future_field": {"nested": [1, 2]}, "another_new_flag": True}
        self._send(h, status, payload)

    @staticmethod
    def _gateway(h: BaseHTTPRequestHandler) -> None:
        """A 502 as a load balancer in front of the workspace gives it: HTML, no error code."""
        data = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
        h.send_response(502)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, payload: Any, headers: dict | None = None) -> None:
        data = json.dumps(payload).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(data)

    def _missing(self, what: str) -> tuple[int, dict]:
        return 404, {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": f"{what} does not exist."}

    def _route(self, method: str, path: str, query: dict, body: dict) -> tuple[int, Any]:
        if path == "/api/2.1/clusters/spark-versions":
            return 200, {"versions": [{"key": k, "name": k} for k in self.spark_versions]}
        if path == "/api/2.1/clusters/list-node-types":
            return 200, {"node_types": [{"node_type_id": n, "memory_mb": 1, "num_cores": 4, "description": n,
                                         "instance_type_id": n, "spark_version": "x"} for n in self.node_types]}
        if path == "/api/2.0/preview/scim/v2/Groups":
            return 200, self._scim(self.groups, "displayName", query, self._group)
        match = re.fullmatch(r"/api/2.0/preview/scim/v2/Users/([^/]+)", path)
        if match:
            users = {_id(u): u for names in self.members.values() for u in names if not u.startswith("group:")}
            if match.group(1) not in users:
                return self._missing(f"User {match.group(1)}")
            return 200, {"id": match.group(1), "userName": users[match.group(1)]}
        if path == "/api/2.0/preview/scim/v2/ServicePrincipals":
            return 200, self._scim(self.service_principals, "applicationId", query,
                                   lambda a: {"id": a[:8], "applicationId": a, "displayName": f"sp-{a[:4]}",
                                              "groups": [{"display": g, "value": _id(g)}
                                                         for g in self.sp_groups.get(a, [])]})
        if path == "/api/2.0/preview/scim/v2/Me":
            return 200, {"id": "1", "userName": self.user,
                         "groups": [{"display": g, "value": str(i)} for i, g in
                                    enumerate((["admins"] if self.admin else []) + self.user_groups)]}
        if path == "/api/2.0/preview/accounts/access-control/rule-sets":
            name = query.get("name", "")
            return 200, {"name": name, "etag": "e1", "grant_rules": self.rule_sets.get(name, [])}
        match = re.fullmatch(r"/api/2.1/unity-catalog/catalogs/([^/]+)", path)
        if match:
            name = match.group(1)
            if name not in self.catalogs:
                return self._missing(f"Catalog '{name}'")
            return 200, {"name": name, "owner": self.catalogs[name]}
        if path == "/api/2.1/unity-catalog/current-metastore-assignment":
            return 200, {"workspace_id": 1, "metastore_id": self.metastore_id}
        if path == f"/api/2.1/unity-catalog/metastores/{self.metastore_id}/systemschemas":
            if not self.metastore_admin:
                return 403, {"error_code": "PERMISSION_DENIED",
                             "message": "Only account admins or metastore admins may list system schemas."}
            return 200, {"schemas": [{"schema": k, "state": v} for k, v in self.system_schemas.items()]}
        match = re.fullmatch(r"/api/2.1/unity-catalog/effective-permissions/(catalog|schema|table)/([^/]+)", path)
        if match:
            return self._effective(match.group(1), match.group(2), query.get("principal"))
        match = re.fullmatch(r"/api/2.1/unity-catalog/models/([^/]+)/versions/([0-9]+)", path)
        if match:
            full, version = match.group(1), int(match.group(2))
            if version not in self.model_versions.get(full, set()):
                return self._missing(f"Model version {version} of '{full}'")
            return 200, {"model_name": full.rsplit(".", 1)[1], "version": version, "status": "READY"}
        match = re.fullmatch(r"/api/2.0/sql/warehouses/([^/]+)", path)
        if match:
            wid = match.group(1)
            if wid not in self.warehouses:
                return self._missing(f"warehouse {wid}")
            return 200, {"id": wid, "name": self.warehouses[wid], "state": "RUNNING"}
        match = re.fullmatch(r"/api/2.1/unity-catalog/tables/([^/]+)/monitor", path)
        if match and method == "GET":
            table = unquote(match.group(1))
            return (200, {"table_name": table, **self.monitors[table]}) if table in self.monitors \
                else self._missing(f"monitor for table {table}")
        match = re.fullmatch(r"/api/2.1/unity-catalog/artifact-allowlists/([A-Z_]+)", path)
        if match and method == "GET":
            # an allowlist nobody set reads as an empty one
            return 200, {"artifact_matchers": [{"artifact": a, "match_type": "PREFIX_MATCH"}
                                               for a in self.artifact_allowlists.get(match.group(1), [])]}
        if path == "/api/2.0/policies/clusters/list":
            return 200, {"policies": [{"policy_id": pid, **p} for pid, p in sorted(self.policies.items())]}
        if path == "/api/2.2/jobs/list":
            return 200, self._jobs_page(query)
        if path == "/api/2.2/jobs/get":
            job_id = int(query["job_id"])
            if job_id not in self.jobs:
                return self._missing(f"Job {job_id}")
            return 200, {"job_id": job_id, "settings": self.jobs[job_id], "created_time": 1}
        if path == "/api/2.2/jobs/update" and method == "POST":
            job_id = int(body["job_id"])
            if job_id not in self.jobs:
                return self._missing(f"Job {job_id}")
            self.jobs[job_id].update(body.get("new_settings", {}))
            return 200, {}
        match = re.fullmatch(r"/api/2.0/permissions/jobs/([0-9]+)", path)
        if match:
            job_id = int(match.group(1))
            if job_id not in self.jobs:
                return self._missing(f"Job {job_id}")
            return 200, {"object_id": f"/jobs/{job_id}", "object_type": "job",
                         "access_control_list": self.permissions.get(job_id, [])}
        match = re.fullmatch(r"/api/2.0/permissions/serving-endpoints/ep-([^/]+)", path)
        if match:
            name = match.group(1)
            if name not in self.endpoints:
                return self._missing(f"Endpoint {name}")
            return 200, {"object_id": f"/serving-endpoints/ep-{name}", "object_type": "serving-endpoint",
                         "access_control_list": self.endpoint_permissions.get(name, [])}
        match = re.fullmatch(r"/api/2.0/serving-endpoints/([^/]+)(/config)?", path)
        if match:
            name, config = match.groups()
            if name not in self.endpoints:
                return self._missing(f"Endpoint {name}")
            if config and method == "PUT":
                current = self.endpoints[name]
                current["traffic_config"] = body.get("traffic_config", current.get("traffic_config"))
                current["served_entities"] = body.get("served_entities", current.get("served_entities"))
            gateway = self.gateways.get(name)
            return 200, {"name": name, "id": f"ep-{name}", "config": self.endpoints[name],
                         **({"ai_gateway": gateway} if gateway is not None else {}),
                         "state": {"ready": "READY", "config_update": "NOT_UPDATING"}}
        match = re.fullmatch(r"/api/2.1/unity-catalog/models/([^/]+)(?:/aliases/([^/]+))?", path)
        if match:
            full, alias = match.groups()
            if full not in self.aliases:
                return self._missing(f"Registered model '{full}'")
            if alias and method == "PUT":
                if int(body["version_num"]) not in self.model_versions.get(full, set()):
                    return self._missing(f"Model version {body['version_num']} of '{full}'")
                self.aliases[full][alias] = int(body["version_num"])
                return 200, {"alias_name": alias, "version_num": int(body["version_num"])}
            return 200, {"full_name": full, "name": full.rsplit(".", 1)[1], "owner": self.model_owner,
                         "aliases": [{"alias_name": a, "version_num": v} for a, v in self.aliases[full].items()]}
        return 404, {"error_code": "ENDPOINT_NOT_FOUND", "message": f"No API found for '{method} {path}'"}

    def _effective(self, kind: str, name: str, who: str | None) -> tuple[int, Any]:
        """What each principal holds on `name`, with what it inherits from the catalog and schema above it
        (`inherited_from_*` set on those); a system schema exists only once enabled."""
        parts = name.split(".")
        if parts[0] == "system" and len(parts) > 1 and self.system_schemas.get(parts[1]) not in ("ENABLE_COMPLETED",
                                                                                               "MANAGED"):
            return self._missing(f"Schema 'system.{parts[1]}'")
        levels = [(".".join(parts[:i]), t) for i, t in ((1, "CATALOG"), (2, "SCHEMA"), (3, "TABLE")) if i <= len(parts)]
        held: dict[str, list[dict]] = {}
        for level, level_type in levels:
            grants = dict(self.uc_privileges.get(level, {}))
            if level_type == "CATALOG":
                grants.update(self.catalog_privileges.get(level, {}))
            for principal, privileges in grants.items():
                inherited = {} if level == name else {"inherited_from_name": level, "inherited_from_type": level_type}
                held.setdefault(principal, []).extend({"privilege": x, **inherited} for x in privileges)
        return 200, {"privilege_assignments": [{"principal": p, "privileges": privs} for p, privs in held.items()
                                               if who is None or p == who]}

    def _jobs_page(self, query: dict) -> dict:
        ids = sorted(self.jobs)
        start = int(query.get("page_token") or 0)
        page = ids[start:start + self.page_size]
        out: dict[str, Any] = {"jobs": [{"job_id": i, "settings": self.jobs[i], "created_time": 1} for i in page]}
        if start + self.page_size < len(ids):
            out["next_page_token"] = str(start + self.page_size)
            out["has_more"] = True
        return out

    def _group(self, name: str) -> dict:
        out: dict[str, Any] = {"id": _id(name), "displayName": name}
        if name in self.members:  # SCIM lists members by id, with a display name that is not the email
            out["members"] = [{"value": _id(m[6:]), "$ref": f"Groups/{_id(m[6:])}", "display": m[6:]}
                              if m.startswith("group:") else
                              {"value": _id(m), "$ref": f"Users/{_id(m)}", "display": m.split("@")[0].title()}
                              for m in self.members[name]]
        return out

    @staticmethod
    def _scim(items: list[str], attribute: str, query: dict, render) -> dict:
        wanted = re.fullmatch(rf'{attribute} eq "(.*)"', query.get("filter", ""))
        chosen = [i for i in items if wanted is None or i == wanted.group(1)]
        start = int(query.get("startIndex") or 1)
        page = chosen[start - 1:start - 1 + int(query.get("count") or 100)]
        return {"totalResults": len(chosen), "startIndex": start, "itemsPerPage": len(page),
                "Resources": [render(i) for i in page]}


def _id(name: str) -> str:
    """A stable numeric SCIM id per name (str hash() differs between processes)."""
    return str(int(hashlib.sha256(name.encode()).hexdigest()[:12], 16))
