"""HubKernel in any IPython kernel: ``%load_ext hubkernel``.

Registers HubKernel's magics (``%hf_login``, ``%whoami``, ``%download`` …, run by ``hubkernel serve --stdio``, started
on first use) and guards what the kernel sends to the frontend: every token Python would show is masked
(``guard.py`` says what is covered and what is not). ``%hubkernel_guard on|off`` turns the guard on or off.
"""
from __future__ import annotations

import sys

__version__ = "0.1.0"

_state: dict = {}


def load_ipython_extension(ip) -> None:
    from . import completion, guard, magics, run

    if _state.get("ip") is ip:
        return
    output_guard = None
    try:
        output_guard = guard.install(ip)
    except (OSError, FileNotFoundError) as error:
        print(f"hubkernel: the output guard is OFF: {error}", file=sys.stderr)
    if output_guard is not None:
        run.remember_secret = output_guard.library.remember
    registered = magics.register(ip)
    ip.register_magic_function(_guard_magic, "line", "hubkernel_guard")
    _state.update(ip=ip, guard=output_guard, registered=registered,
                  matcher=completion.install(ip, registered))


def unload_ipython_extension(ip) -> None:
    from . import backend, completion, magics, run

    if _state.get("ip") is not ip:
        return
    magics.unregister(ip, _state["registered"])
    ip.magics_manager.magics["line"].pop("hubkernel_guard", None)
    completion.uninstall(ip, _state.get("matcher"))
    if _state.get("guard") is not None:
        _state["guard"].uninstall()
    run.remember_secret = None
    backend.shutdown_shared()
    _state.clear()


def _guard_magic(line: str = "") -> None:
    """%hubkernel_guard [on|off|status]: turn the output guard (every token Python shows is masked) on or off."""
    from . import guard, run

    ip, word = _state.get("ip"), line.strip().lower() or "status"
    current = _state.get("guard")
    if word == "off":
        if current is not None:
            current.uninstall()
            _state["guard"] = None
            run.remember_secret = None
        print("hubkernel: the output guard is off: tokens Python prints are shown as they are. %hubkernel_guard on "
              "turns it back on.")
    elif word == "on":
        if current is None:
            try:
                current = guard.OutputGuard(ip.kernel.session) if getattr(ip, "kernel", None) else None
            except (OSError, FileNotFoundError) as error:
                print(f"hubkernel: the output guard stays off: {error}", file=sys.stderr)
                return
            _state["guard"] = current
            run.remember_secret = current.library.remember if current else None
        print("hubkernel: the output guard is " + ("on." if current else "off: there is no kernel here."))
    elif word == "status":
        print(f"hubkernel: the output guard is {'on' if current else 'off'}.")
    else:
        print("hubkernel: %hubkernel_guard takes on, off or status.", file=sys.stderr)
