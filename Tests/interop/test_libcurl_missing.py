"""Without libcurl (a machine where neither the wheel's copy nor the system's can be loaded), every command that
needs the network says so and what to install, and the kernel stays up: libcurl is loaded on first use
(Sources/CCurl/CurlLoader.c), so the rest keeps working. The libraries are hidden by bind-mounting /dev/null over
them in a private mount namespace (needs root: skipped otherwise)."""
from __future__ import annotations

import os
import pathlib
import shlex
import subprocess
import time

import pytest

from fixtures.kernel import hubkernel_bin, run_cell, start_kernel, stop_kernel

ADVICE = "apt-get install libcurl4"


def curl_libraries(binary: str) -> list[str]:
    """Every file `dlopen` could find libcurl in: the wheel's copy beside the binary, and the system's."""
    found = []
    for folder in (pathlib.Path(binary).parent.parent / "lib" / "hubkernel", pathlib.Path(binary).parent,
                   pathlib.Path("/lib/x86_64-linux-gnu"), pathlib.Path("/usr/lib/x86_64-linux-gnu"),
                   pathlib.Path("/lib"), pathlib.Path("/usr/lib")):
        for library in (*folder.glob("libhubkernel-curl.so*"), *folder.glob("libcurl.so*"), *folder.glob("libcurl-*.so*")):
            real = str(library.resolve())
            if real not in found:
                found.append(real)
    return found


@pytest.fixture
def without_libcurl(tmp_path, monkeypatch):
    """A wrapper that runs the binary with libcurl hidden; HUBKERNEL_BIN points at it."""
    binary = hubkernel_bin()
    libraries = curl_libraries(binary)
    assert libraries, "no libcurl found to hide: the test would prove nothing"
    probe = subprocess.run(["unshare", "--mount", "--propagation", "private", "mount", "--bind", "/dev/null",
                            libraries[0]], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot hide libcurl in a mount namespace here: {probe.stderr.strip()}")
    mounts = " && ".join(f"mount --bind /dev/null {shlex.quote(lib)}" for lib in libraries)
    wrapper = tmp_path / "hubkernel-without-curl"
    inner = shlex.quote(mounts + ' && exec "$0" "$@"')
    wrapper.write_text(f'#!/bin/sh\nexec unshare --mount --propagation private sh -c {inner} {shlex.quote(binary)} "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("HUBKERNEL_BIN", str(wrapper))
    monkeypatch.setenv("HUBKERNEL_REAL_BIN", binary)
    return str(wrapper)


def test_a_command_says_libcurl_is_missing_and_what_to_install_at_once(without_libcurl, hf_env):
    started = time.monotonic()
    done = subprocess.run([without_libcurl, "download", "demo/tiny-model", "config.json"], env=hf_env,
                          capture_output=True, text=True, timeout=60)
    assert 0 < done.returncode < 128, (done.returncode, done.stderr)  # an error exit, not a signal
    assert "libcurl could not be loaded" in done.stderr and ADVICE in done.stderr, done.stderr
    assert "Check your connection" not in done.stderr, "a missing library is not a network problem"
    assert time.monotonic() - started < 10, "a missing library must not be retried with backoff like a network error"
    cache = pathlib.Path(hf_env.get("HF_HUB_CACHE") or pathlib.Path(hf_env["HF_HOME"]) / "hub")
    assert not list(cache.glob("models--demo--tiny-model/blobs/*")), "nothing may land in the cache"

    offline = subprocess.run([without_libcurl, "env"], env=hf_env, capture_output=True, text=True, timeout=60)
    assert offline.returncode == 0, offline.stderr  # what needs no network still works


def test_files_already_cached_are_still_served(without_libcurl, hf_env):
    fetched = subprocess.run([hubkernel_bin_real(), "download", "demo/tiny-model", "config.json"], env=hf_env,
                             capture_output=True, text=True, timeout=60)
    assert fetched.returncode == 0, fetched.stderr
    done = subprocess.run([without_libcurl, "download", "demo/tiny-model", "config.json"], env=hf_env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "served 'config.json' from the local cache" in done.stdout + done.stderr, (done.stdout, done.stderr)
    assert "libcurl could not be loaded" in done.stdout + done.stderr


def hubkernel_bin_real() -> str:
    """The binary itself (the fixture points HUBKERNEL_BIN at the wrapper)."""
    return os.environ["HUBKERNEL_REAL_BIN"]


def test_the_kernel_reports_it_in_the_cell_and_keeps_running(without_libcurl, hf_env, tmp_path):
    km, kc = start_kernel(tmp_path / "kernel", env=hf_env)
    try:
        reply, messages = run_cell(kc, "%download demo/tiny-model config.json", timeout=60)
        assert reply["content"]["status"] == "error"
        shown = " ".join(str(m["content"]) for m in messages if m["msg_type"] in ("error", "stream", "display_data"))
        assert "libcurl could not be loaded" in shown and ADVICE in shown, shown
        reply, messages = run_cell(kc, "%echo still here")
        assert reply["content"]["status"] == "ok"
        assert any("still here" in str(m["content"]) for m in messages)
        assert km.is_alive()
    finally:
        stop_kernel(km, kc)
