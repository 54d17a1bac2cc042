"""A pytest plugin loaded with ``-p timeout_plugin`` when the ipykernel suite runs.

ipykernel's pyproject sets ``timeout = 30`` (pytest-timeout) under ``--strict-config``; this venv has no
pytest-timeout, so the option is declared here and honoured with SIGALRM in the main thread: a test that hangs
(a reply that never comes) fails with ``TimeoutError`` instead of stalling the run. Nor pytest-cov, whose ``--cov``
option the subshell tests read (to skip timing tests under coverage): declared here, unset. Nothing in the sdist is
edited.
"""
from __future__ import annotations

import signal

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("timeout", "seconds one test may take (SIGALRM)", default="60")
    parser.addoption("--cov", action="append", default=[], help="pytest-cov's option, accepted and unused (no coverage)")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem):  # noqa: ANN001
    seconds = int(float(item.config.getini("timeout") or 0))
    marker = item.get_closest_marker("timeout")
    if marker and marker.args:
        seconds = int(marker.args[0])

    def expire(signum, frame):  # noqa: ANN001
        raise TimeoutError(f"{item.nodeid} took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    if seconds > 0:
        signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "timeout(seconds): per-test time limit (pytest-timeout's marker)")
    # The `flaky` plugin is not installed either: its marker is accepted and a test runs once.
    config.addinivalue_line("markers", "flaky(max_runs, min_passes): rerun marker of the flaky plugin (runs once here)")
