"""HubKernel's magics in IPython: registered at load from ``magics.json`` (names, usage and help pages, written at
wheel build time by ``hubkernel`` itself through ``hub/magics``; see ``generate.py``), so loading starts no
process. Each runs ``hub/runMagic`` on first use (``run.py``).

Name clashes: IPython's magics keep their meaning. A HubKernel magic whose name IPython (or anything loaded before)
already has is registered as ``%hf_<name>`` instead, and the load says so in one line naming both (IPython 8/9:
``%lsmagic``). ``%python`` is HubKernel's control of its hosted Python and is not registered: here Python is the
kernel itself.
"""
from __future__ import annotations

import json
import pathlib
import sys
from typing import Any, Callable

from . import run

SPEC_FILE = pathlib.Path(__file__).with_name("magics.json")
# Not registered: %python is the kernel's (here Python *is* the kernel); IPython's own %lsmagic already lists every
# magic, HubKernel's included, so ours would only add a name.
NOT_HERE = frozenset({"python", "lsmagic"})


def load_specs() -> list[dict[str, Any]]:
    return json.loads(SPEC_FILE.read_text(encoding="utf-8"))


def make_magic(name: str, spec: dict[str, Any]) -> Callable[[str], Any]:
    def magic(line: str = ""):
        return run.run_magic(f"%{name} {line}".rstrip())

    magic.__name__ = name
    magic.__qualname__ = name
    magic.__doc__ = spec.get("help") or spec.get("summary") or ""
    magic._hubkernel_magic = name  # type: ignore[attr-defined]
    return magic


def is_ours(function: Any) -> bool:
    return getattr(function, "_hubkernel_magic", None) is not None or \
        getattr(getattr(function, "__func__", None), "_hubkernel_magic", None) is not None


def register(ip, specs: list[dict[str, Any]] | None = None) -> dict[str, str]:
    """Registers the magics; returns ``{name in IPython: HubKernel's name}``."""
    table = ip.magics_manager.magics
    registered: dict[str, str] = {}
    clashes: list[tuple[str, str]] = []
    for spec in specs if specs is not None else load_specs():
        name = spec["name"]
        if name in NOT_HERE:
            continue
        target = name
        taken = [table[kind][name] for kind in ("line", "cell") if name in table[kind]]
        if any(not is_ours(function) for function in taken):
            target = f"hf_{name}"
            if any(not is_ours(table[kind][target]) for kind in ("line", "cell") if target in table[kind]):
                print(f"hubkernel: %{name} and %{target} are both taken here; HubKernel's %{name} is not available "
                      f"(run it as a terminal command: hubkernel {name} …).", file=sys.stderr)
                continue
            clashes.append((name, target))
        ip.register_magic_function(make_magic(name, spec), "line", target)
        registered[target] = name
    if clashes:
        print("hubkernel: " + "; ".join(f"IPython's %{name} keeps its meaning, HubKernel's %{name} is %{target}"
                                        for name, target in clashes) + ".")
    return registered


def unregister(ip, registered: dict[str, str]) -> None:
    for target in registered:
        function = ip.magics_manager.magics["line"].get(target)
        if function is not None and is_ours(function):
            del ip.magics_manager.magics["line"][target]
