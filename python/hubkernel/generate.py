"""Writes ``magics.json`` from the backend's ``hub/magics`` (run by scripts/package; a test checks the committed file
is current): ``python -m hubkernel.generate [HUBKERNEL_BINARY [OUTPUT]]``."""
from __future__ import annotations

import json
import pathlib
import sys

from .backend import Backend
from .magics import SPEC_FILE


def magic_specs(binary: str | None = None) -> list[dict]:
    backend = Backend(binary)
    try:
        return backend.call("hub/magics", timeout=30)
    finally:
        backend.close()


def render(specs: list[dict]) -> str:
    return json.dumps(specs, indent=1, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    target = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else SPEC_FILE
    target.write_text(render(magic_specs(sys.argv[1] if len(sys.argv) > 1 else None)), encoding="utf-8")
    print(target)
