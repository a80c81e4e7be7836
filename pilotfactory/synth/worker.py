"""One synth worker process (`python -m pilotfactory.synth.worker`), started by synth/workers.py.

Reads a pickled request on stdin (catalog, engine, the stacks to build, the empty folder to build
them in), builds them in one App with its own jsii runtime, and answers on stdout with a pickled
`{"ok": True}`, `{"error": PilotFactoryError}` (a catalog error, raised again by the parent as it
is) or `{"traceback": text}` (a bug). The request comes from the parent process only.
"""
from __future__ import annotations

import os
import pickle
import sys
import traceback

from pilotfactory.diagnostics.diagnostic import PilotFactoryError

__all__ = ["main"]


def _portable(exc: PilotFactoryError) -> PilotFactoryError:
    """The error itself when it survives pickling, else one with its message (DiagnosticsError
    pickles by its message, not its diagnostics)."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return PilotFactoryError(str(exc))


def main() -> int:
    request = pickle.loads(sys.stdin.buffer.read())
    # The reply owns stdout: anything else printed (the jsii runtime's warnings) goes to stderr.
    reply_fd = os.dup(1)
    os.dup2(2, 1)
    try:
        from stacks.app import build_app  # the CDK loads only in a worker that builds something

        build_app(request["catalog"], request["outdir"], request["engine"], only=request["only"]).synth()
        reply: dict = {"ok": True}
    except PilotFactoryError as exc:
        reply = {"error": _portable(exc)}
    except Exception:
        reply = {"traceback": traceback.format_exc()}
    with os.fdopen(reply_fd, "wb") as out:
        out.write(pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL))
    return 0 if reply.get("ok") else 1


if __name__ == "__main__":
    sys.exit(main())
