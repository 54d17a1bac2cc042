"""Tab completion of HubKernel's magic lines through ``hub/complete``: an IPython matcher (IPython ≥ 8.6's
``context_matcher`` API) that answers only on a line starting with one of our magics, and suppresses IPython's
other matchers there (file names, Python names would be wrong after ``%download``)."""
from __future__ import annotations

from typing import Any

from . import backend as backend_module

TIMEOUT = 3.0


def make_matcher(registered: dict[str, str]):
    from IPython.core.completer import SimpleCompletion, context_matcher

    @context_matcher()
    def hubkernel_matcher(context) -> dict[str, Any]:
        line = context.line_with_cursor
        stripped = line.lstrip()
        head = stripped.split(" ", 1)[0]
        if not head.startswith("%") or head.startswith("%%") or head[1:] not in registered or " " not in stripped:
            return {"completions": [], "suppress": False}
        indent = len(line) - len(stripped)
        name = registered[head[1:]]
        code = f"%{name}" + stripped[len(head):]
        shift = indent + len(head) - (len(name) + 1)  # our name may be hf_<name> in IPython
        try:
            answer = backend_module.shared().call("hub/complete", {"code": code, "cursor": len(code)}, timeout=TIMEOUT)
        except Exception:
            return {"completions": [], "suppress": False}
        start = int(answer.get("cursorStart", len(code))) + shift
        matches = [SimpleCompletion(text=str(match), type="hubkernel") for match in answer.get("matches", [])]
        return {"completions": matches, "suppress": bool(matches), "matched_fragment": line[start:]}

    return hubkernel_matcher


def install(ip, registered: dict[str, str]):
    """Adds the matcher to IPython's completer; returns it (for ``uninstall``), or None on an older IPython."""
    try:
        matcher = make_matcher(registered)
    except ImportError:
        return None
    ip.Completer.custom_matchers.append(matcher)
    return matcher


def uninstall(ip, matcher) -> None:
    if matcher is not None and matcher in ip.Completer.custom_matchers:
        ip.Completer.custom_matchers.remove(matcher)
