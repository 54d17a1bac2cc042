"""Loading the extension in a terminal IPython (no kernel): names from magics.json, clashes reported, the guard says
it is off, nothing started at load."""
from __future__ import annotations

import time

import hubkernel
import hubkernel.backend as backend_module


def test_load_registers_reports_clashes_and_starts_nothing(capsys):
    from IPython.testing.globalipapp import get_ipython

    ip = get_ipython()
    ip.register_magic_function(lambda line: "theirs", "line", "whoami")  # another extension's %whoami
    started = time.perf_counter()
    hubkernel.load_ipython_extension(ip)
    elapsed = time.perf_counter() - started
    try:
        captured = capsys.readouterr()
        line = ip.magics_manager.magics["line"]
        assert "no Jupyter kernel here" in captured.err
        assert "IPython's %whoami keeps its meaning, HubKernel's %whoami is %hf_whoami" in captured.out
        assert line["whoami"]("") == "theirs" and hasattr(line["hf_whoami"], "_hubkernel_magic")
        assert not hasattr(line["lsmagic"], "_hubkernel_magic") and "hf_lsmagic" not in line, "IPython's %lsmagic lists ours"
        for name in ("hf_whoami", "download", "hf_login", "cache", "env", "set_env", "load_ext"):
            assert name in line, name
        assert not hasattr(line["env"], "_hubkernel_magic"), "%env stays IPython's"
        assert "python" not in line or not hasattr(line["python"], "_hubkernel_magic")
        assert "Usage: %download" in line["download"].__doc__, "%download? shows the magic's help"
        assert backend_module._shared is None, "no backend started at load"
        assert elapsed < 0.1, f"load took {elapsed * 1000:.0f} ms"
    finally:
        hubkernel.unload_ipython_extension(ip)
    assert "hf_whoami" not in ip.magics_manager.magics["line"] and "download" not in ip.magics_manager.magics["line"]
    del ip.magics_manager.magics["line"]["whoami"]
