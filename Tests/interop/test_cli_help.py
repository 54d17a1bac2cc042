"""`hubkernel COMMAND --help`: every terminal command answers with its own terminal syntax, on stdout, status 0."""
from __future__ import annotations

import subprocess

import pytest

from fixtures.kernel import hubkernel_bin

COMMANDS = ["download", "auth login", "auth logout", "auth whoami", "auth list", "auth switch", "auth token-source",
            "cache", "cache ls", "cache rm", "env", "doctor", "install", "kernel"]


@pytest.mark.parametrize("command", COMMANDS)
def test_help_names_the_terminal_command(command):
    result = subprocess.run([hubkernel_bin(), *command.split(), "--help"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    usage = result.stdout.splitlines()[0]
    assert usage.startswith(f"Usage: hubkernel {command}"), usage
    assert "%" not in usage, usage


def test_version_is_the_kernel_info_version():
    result = subprocess.run([hubkernel_bin(), "--version"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0
    source = (subprocess.run(["grep", "-h", "static let version", "Sources/HubMagics/Kernel/HubKernelInfo.swift"],
                             capture_output=True, text=True, check=True).stdout)
    assert result.stdout.strip() == "hubkernel " + source.split('"')[1]
