"""The backend client (hubkernel/backend.py) against the real ``hubkernel serve --stdio``: lifecycle, a magic run,
cancel, a dead backend started again with a notice, and the committed ``magics.json`` matching ``hub/magics``."""
from __future__ import annotations

import os
import signal
import time

import pytest

from ipykernel_fixture import backend_binary

import hubkernel.backend as backend_module
from hubkernel import generate, magics, run


@pytest.fixture(autouse=True)
def environment(monkeypatch, tmp_path):
    monkeypatch.setenv("HUBKERNEL_BIN", backend_binary())
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    yield
    backend_module.shutdown_shared()


def events_until_answer(pending, timeout=30.0):
    events, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        kind, payload = pending.events.get(timeout=deadline - time.monotonic())
        events.append((kind, payload))
        if kind in ("result", "error"):
            return events
    raise TimeoutError(events)


def test_lifecycle_initialize_then_shutdown_and_exit():
    started = time.monotonic()
    backend = backend_module.Backend()
    assert time.monotonic() - started < 5
    assert backend.capabilities["serverInfo"]["name"] == "hubkernel"
    assert "hub.download" in backend.capabilities["capabilities"]["executeCommandProvider"]["commands"]
    backend.close()
    assert backend.process.returncode == 0, "exit after shutdown is status 0"


def test_a_magic_streams_its_output_to_the_request_that_ran_it():
    backend = backend_module.Backend()
    try:
        events = events_until_answer(backend.request("hub/runMagic", {"code": "%echo hello there"}))
        assert ("notification", ("hub/stream", {"name": "stdout", "request": 1 + 1, "text": "hello there\n"})) in events
        assert events[-1] == ("result", {"data": None})
        with pytest.raises(backend_module.RemoteError) as failed:
            backend.call("hub/whoami", {}, timeout=30)
        assert failed.value.data["name"] == "LocalTokenNotFoundError"
    finally:
        backend.close()


def test_cancel_answers_at_once():
    backend = backend_module.Backend()
    try:
        pending = backend.request("hub/runMagic", {"code": "%sleep 30"})
        time.sleep(0.3)
        started = time.monotonic()
        backend.cancel(pending)
        kind, error = events_until_answer(pending, timeout=10)[-1]
        assert kind == "error" and error.code == backend_module.CANCELLED
        assert time.monotonic() - started < 2
    finally:
        backend.close()


def test_a_dead_backend_is_started_again_with_a_notice(capsys):
    first = backend_module.shared()
    os.kill(first.process.pid, signal.SIGKILL)
    first.process.wait(timeout=10)
    run.run_magic("%echo again")
    captured = capsys.readouterr()
    assert "the hubkernel backend was killed by signal 9; starting a new one." in captured.err
    assert captured.out == "again\n"
    assert backend_module.shared() is not first and backend_module.shared().alive


def test_a_request_in_flight_when_the_backend_dies_fails_with_what_to_do():
    backend = backend_module.shared()
    pending = backend.request("hub/runMagic", {"code": "%sleep 30"})
    time.sleep(0.3)
    os.kill(backend.process.pid, signal.SIGKILL)
    kind, error = events_until_answer(pending, timeout=10)[-1]
    assert kind == "error" and isinstance(error, backend_module.BackendDied)
    assert "killed by signal 9" in str(error)


def test_an_error_is_raised_with_the_hub_name_and_the_kernels_words():
    with pytest.raises(run.HubError) as failed:
        run.run_magic("%whoami")
    assert type(failed.value).__name__ == "LocalTokenNotFoundError"
    assert failed.value._render_traceback_()[0].count("LocalTokenNotFoundError") == 1
    assert "hf_login" in str(failed.value)


def test_the_committed_magics_json_is_what_the_backend_lists():
    assert generate.magic_specs(backend_binary()) == magics.load_specs(), \
        "python/hubkernel/magics.json is stale: run `python -m hubkernel.generate .build/release/hubkernel`"
