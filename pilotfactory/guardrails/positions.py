"""Line numbers of values in a JSON text, by path: json.loads keeps no positions."""
from __future__ import annotations

import bisect
import json
import re

__all__ = ["json_lines"]

_NEWLINE = re.compile("\n")
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+', re.DOTALL)


def json_lines(text: str, max_depth: int = 5) -> dict[tuple, int]:
    """Path -> 1-based line of the member's key (object) or the element's start (array).

    Only paths up to `max_depth` deep are kept: the rules locate resources, not every leaf.
    Assumes `text` already parsed as JSON; on anything odd it returns what it found so far.
    """
    out: dict[tuple, int] = {}
    # the line of each token start, from a running count of newlines
    tokens = [(m.group(0), m.start()) for m in _TOKEN.finditer(text)]
    line_starts = [m.start() for m in _NEWLINE.finditer(text)]

    def line(offset: int) -> int:
        return bisect.bisect_right(line_starts, offset - 1) + 1 if line_starts else 1

    stack: list[list] = []  # frames: [kind, path, key_or_index, expecting_key]
    path: tuple = ()
    pending_key: str | None = None
    pending_line = 1
    for tok, offset in tokens:
        if tok in "{[":
            if stack:
                frame = stack[-1]
                here = path + ((pending_key,) if frame[0] == "{" else (frame[2],))
                if len(here) <= max_depth:
                    out.setdefault(here, pending_line if frame[0] == "{" else line(offset))
            else:
                here = ()
            stack.append([tok, here, 0])
            path = here
            pending_key = None
        elif tok in "}]":
            stack.pop()
            path = stack[-1][1] if stack else ()
            if stack and stack[-1][0] == "[":
                stack[-1][2] += 1
        elif tok == ":" or tok == ",":
            continue
        else:
            frame = stack[-1] if stack else None
            if frame is None:
                continue
            if frame[0] == "{":
                if pending_key is None:
                    pending_key = json.loads(tok)
                    pending_line = line(offset)
                else:
                    here = path + (pending_key,)
                    if len(here) <= max_depth:
                        out.setdefault(here, pending_line)
                    pending_key = None
            else:
                here = path + (frame[2],)
                if len(here) <= max_depth:
                    out.setdefault(here, line(offset))
                frame[2] += 1
    return out
