"""Colab's secret HF_TOKEN as a token source (hubkernel/colab.py), with a stand-in ``google.colab`` on sys.path:
read once per session, cleaned, passed to the backend as ``tokenSources``; a refused access is a warning and is not
asked again; Colab Enterprise is not Colab."""
from __future__ import annotations

import sys
import textwrap

import pytest

from ipykernel_fixture import backend_binary

import hubkernel.backend as backend_module
from hubkernel import colab, run

STAND_IN = '''
import os
calls = 0
class NotebookAccessError(Exception): pass
class SecretNotFoundError(Exception): pass
def get(name):
    global calls
    calls += 1
    mode = os.environ.get("STANDIN_MODE", "token")
    if mode == "refused": raise NotebookAccessError(name)
    if mode == "missing": raise SecretNotFoundError(name)
    return os.environ["STANDIN_TOKEN"]
'''


@pytest.fixture
def stand_in(tmp_path, monkeypatch):
    package = tmp_path / "colab-standin" / "google" / "colab"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "userdata.py").write_text(textwrap.dedent(STAND_IN))
    (package / "errors.py").write_text("class Error(Exception): pass\n")
    monkeypatch.syspath_prepend(str(tmp_path / "colab-standin"))
    for name in [n for n in sys.modules if n == "google" or n.startswith("google.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(colab, "_checked", False)
    monkeypatch.setattr(colab, "_secret", None)
    monkeypatch.delenv("VERTEX_PRODUCT", raising=False)
    yield
    backend_module.shutdown_shared()


def userdata_calls() -> int:
    from google.colab import userdata
    return userdata.calls


def test_the_secret_is_read_once_and_cleaned(stand_in, monkeypatch):
    monkeypatch.setenv("STANDIN_TOKEN", "  hf_abc\r\n")
    assert colab.token_sources() == [{"name": "Colab secret HF_TOKEN", "token": "hf_abc"}]
    assert colab.token_sources() == [{"name": "Colab secret HF_TOKEN", "token": "hf_abc"}]
    assert userdata_calls() == 1


def test_a_refused_access_warns_and_is_not_asked_again(stand_in, monkeypatch):
    monkeypatch.setenv("STANDIN_MODE", "refused")
    with pytest.warns(UserWarning, match="has not been granted"):
        assert colab.token_sources() == []
    assert colab.token_sources() == []
    assert userdata_calls() == 1


def test_no_secret_is_silent(stand_in, monkeypatch, recwarn):
    monkeypatch.setenv("STANDIN_MODE", "missing")
    assert colab.token_sources() == [] and not recwarn.list


def test_colab_enterprise_is_not_colab(stand_in, monkeypatch):
    monkeypatch.setenv("VERTEX_PRODUCT", "COLAB_ENTERPRISE")
    monkeypatch.setenv("STANDIN_TOKEN", "hf_abc")
    assert colab.token_sources() == []


FAKE_BACKEND = """#!{python}
import json, sys
sys.path.insert(0, {package!r})
from hubkernel.framing import encode, read_message
while True:
    message = read_message(sys.stdin.buffer)
    if message is None or message.get("method") == "exit":
        break
    if message.get("method") == "initialize":
        open({record!r}, "w").write(json.dumps(message["params"]))
    if "id" in message:
        sys.stdout.buffer.write(encode({{"jsonrpc": "2.0", "id": message["id"], "result": {{}}}}))
        sys.stdout.buffer.flush()
"""


def test_the_client_passes_the_secret_as_a_token_source(stand_in, monkeypatch, tmp_path):
    """What initialize carries, recorded by a stand-in backend."""
    record, fake = tmp_path / "initialize.json", tmp_path / "fake-hubkernel"
    package = str(__import__("pathlib").Path(colab.__file__).parents[1])
    fake.write_text(FAKE_BACKEND.format(python=sys.executable, package=package, record=str(record)))
    fake.chmod(0o755)
    monkeypatch.setenv("STANDIN_TOKEN", "hf_abc\n")
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setenv("HF_TOKEN_PATH", "/nowhere/token")
    backend = backend_module.Backend(str(fake))
    backend.close()
    params = __import__("json").loads(record.read_text())
    options = params["initializationOptions"]
    assert options["tokenSources"] == [{"name": "Colab secret HF_TOKEN", "token": "hf_abc"}]
    assert options["endpoint"] == "http://127.0.0.1:9"
    assert options["environment"]["HF_TOKEN_PATH"] == "/nowhere/token"
    assert params["processId"] == __import__("os").getpid()
    assert backend.process.returncode == 0


def test_the_backend_logs_in_with_the_colab_secret(stand_in, monkeypatch, local_hub, tmp_path, capsys):
    monkeypatch.setenv("HUBKERNEL_BIN", backend_binary())
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_ENDPOINT", local_hub.endpoint)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("STANDIN_TOKEN", local_hub.tokens["read"] + "\n")
    backend_module.shutdown_shared()
    whoami = run.run_magic("%whoami")
    source = run.run_magic("%token_source")
    shown = capsys.readouterr().out + repr(whoami) + repr(source)
    assert "alice" in repr(whoami)
    assert "Colab secret HF_TOKEN" in shown
    assert local_hub.tokens["read"] not in shown
