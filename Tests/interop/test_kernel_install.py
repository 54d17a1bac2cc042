"""`hubkernel install [--user | --sys-prefix | --prefix DIR]`, checked with `jupyter kernelspec list`."""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest

from fixtures.kernel import hubkernel_bin

JUPYTER = str(pathlib.Path(sys.executable).parent / "jupyter")


def install(*arguments: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([hubkernel_bin(), "install", *arguments], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=60)


def kernelspecs(env: dict[str, str]) -> dict:
    # In a virtualenv jupyter_core lists sys.prefix before the user directory unless told otherwise, and the
    # shared venv may hold a hubkernel spec of its own.
    env = {"JUPYTER_PREFER_ENV_PATH": "0", **env}
    listing = subprocess.run([JUPYTER, "kernelspec", "list", "--json"], env={**os.environ, **env},
                             capture_output=True, text=True, timeout=60, check=True)
    return json.loads(listing.stdout)["kernelspecs"]


def check_installed(spec_dir: pathlib.Path, listed: dict) -> None:
    assert "hubkernel" in listed, sorted(listed)
    assert pathlib.Path(listed["hubkernel"]["resource_dir"]).resolve() == spec_dir.resolve()
    spec = listed["hubkernel"]["spec"]
    launcher = pathlib.Path(hubkernel_bin()).resolve().with_name("hubkernel-launcher")
    command = launcher if launcher.exists() else pathlib.Path(hubkernel_bin()).resolve()
    assert spec["argv"] == [str(command), "kernel", "-f", "{connection_file}"]
    assert spec["display_name"] == "HubKernel"
    assert spec["language"] == "hubkernel"
    assert spec["interrupt_mode"] in ("message", "signal")
    assert "curve" in spec["metadata"]["supported_encryption"]
    for logo in ("logo-32x32.png", "logo-64x64.png"):
        assert (spec_dir / logo).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_install_prefix(tmp_path):
    result = install("--prefix", str(tmp_path / "prefix"), env={})
    assert result.returncode == 0, result.stderr
    spec_dir = tmp_path / "prefix" / "share" / "jupyter" / "kernels" / "hubkernel"
    check_installed(spec_dir, kernelspecs({"JUPYTER_PATH": str(tmp_path / "prefix" / "share" / "jupyter")}))


def test_install_user_honours_jupyter_data_dir(tmp_path):
    env = {"JUPYTER_DATA_DIR": str(tmp_path / "data")}
    result = install("--user", env=env)
    assert result.returncode == 0, result.stderr
    check_installed(tmp_path / "data" / "kernels" / "hubkernel", kernelspecs(env))


def test_install_sys_prefix_uses_the_virtualenv(tmp_path):
    venv = tmp_path / "venv"
    result = install("--sys-prefix", env={"VIRTUAL_ENV": str(venv)})
    assert result.returncode == 0, result.stderr
    spec_dir = venv / "share" / "jupyter" / "kernels" / "hubkernel"
    check_installed(spec_dir, kernelspecs({"JUPYTER_PATH": str(venv / "share" / "jupyter")}))


def test_install_sys_prefix_without_virtualenv_asks_python_in_path(tmp_path):
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    prefix = tmp_path / "pyprefix"
    python = fake_bin / "python3"
    python.write_text(f"#!/bin/sh\necho {prefix}\n")
    python.chmod(0o755)
    env = {"PATH": f"{fake_bin}:{os.environ['PATH']}"}
    environment = {**os.environ, **env}
    environment.pop("VIRTUAL_ENV", None)
    result = subprocess.run([hubkernel_bin(), "install", "--sys-prefix"], env=environment, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert (prefix / "share" / "jupyter" / "kernels" / "hubkernel" / "kernel.json").exists()


def test_reinstall_replaces(tmp_path):
    spec_dir = tmp_path / "p" / "share" / "jupyter" / "kernels" / "hubkernel"
    assert install("--prefix", str(tmp_path / "p"), env={}).returncode == 0
    (spec_dir / "stale.txt").write_text("old")
    assert install("--prefix", str(tmp_path / "p"), env={}).returncode == 0
    assert not (spec_dir / "stale.txt").exists()


@pytest.mark.parametrize("arguments", [["--bogus"], ["--prefix"], ["--user", "--sys-prefix"]])
def test_bad_arguments_fail_with_usage(arguments):
    result = install(*arguments, env={})
    assert result.returncode != 0
    assert "Usage: hubkernel install" in result.stderr
