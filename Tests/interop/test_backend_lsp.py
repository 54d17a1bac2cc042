"""`hubkernel serve --stdio` driven by a real LSP client nobody here wrote: pytest-lsp / pygls (PyPI). Lifecycle,
every Hub method against the local Hub, hub/runMagic's notifications, a password prompt answered by the client,
`$/progress` for a download, cancellation, and no token in anything the backend sends. Malformed input byte by byte
is `test_backend_bad_input.py`."""
from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.protocol import JsonRPCNotification, JsonRPCRequestMessage, JsonRPCResponseMessage
from pytest_lsp import ClientServerConfig, LanguageClient

from fixtures.kernel import hubkernel_bin

pytestmark = pytest.mark.asyncio


def scrubbed_environment() -> dict[str, str]:
    """The backend's own environment: no HF_* variable and no token (the client's options say it all)."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGING")) and "proxy" not in k.lower()}


@contextlib.asynccontextmanager
async def backend(options: dict | None = None, env: dict | None = None):
    client: LanguageClient = await ClientServerConfig(server_command=[hubkernel_bin(), "serve", "--stdio"],
                                                      server_env={**scrubbed_environment(), **(env or {})}).start()
    for message_type in (JsonRPCNotification, JsonRPCRequestMessage, JsonRPCResponseMessage):
        # pygls turns custom params and results into namedtuples, renaming keys such as "text/plain": keep JSON as JSON.
        client.protocol._converter.register_structure_hook(message_type, lambda obj, cls: cls(**obj))
    client.seen: list[tuple[str, dict]] = []
    for method in ("hub/stream", "hub/display"):
        client.feature(method)(lambda params, method=method: client.seen.append((method, params)))
    result = await client.initialize_session(types.InitializeParams(
        capabilities=types.ClientCapabilities(window=types.WindowClientCapabilities(work_done_progress=True)),
        process_id=os.getpid(), client_info=types.ClientInfo(name="pytest-lsp"), initialization_options=options or {}))
    client.initialize_result = result
    try:
        yield client
    finally:
        await client.shutdown_session()


def hub_options(local_hub, tmp_path, **extra) -> dict:
    return {"endpoint": local_hub.endpoint, "home": str(tmp_path / "hf"), **extra}


async def call(client: LanguageClient, method: str, params: dict | None = None, timeout: float = 60):
    return await asyncio.wait_for(client.protocol.send_request_async(method, params or {}), timeout)


def plain(value):
    """A result or params as plain JSON values."""
    return json.loads(json.dumps(value))


async def test_lifecycle_and_server_info(local_hub, tmp_path):
    async with backend(hub_options(local_hub, tmp_path)) as client:
        info = client.initialize_result
        assert info.server_info.name == "hubkernel" and info.server_info.version
        commands = info.capabilities.execute_command_provider.commands
        assert {"hub.whoami", "hub.download", "hub.cache.ls", "hub.tokenScan"} <= set(commands)


async def test_every_hub_method_answers_with_the_magics_json(local_hub, tmp_path):
    token = local_hub.tokens["read"]
    async with backend(hub_options(local_hub, tmp_path, environment={"HF_TOKEN": token})) as client:
        whoami = plain(await call(client, "hub/whoami"))
        assert whoami["user"] == "alice", whoami
        sources = plain(await call(client, "hub/tokenSource"))
        assert json.dumps(sources).count(token) == 0 and "HF_TOKEN" in json.dumps(sources)
        info = plain(await call(client, "hub/info", {"repo": "demo/tiny-model"}))
        assert "demo/tiny-model" in json.dumps(info)
        done = plain(await call(client, "hub/download", {"repo": "demo/tiny-model", "files": ["config.json"]}))
        assert "config.json" in json.dumps(done)
        listing = plain(await call(client, "hub/cache/ls"))
        assert "demo/tiny-model" in json.dumps(listing)
        doctor = plain(await call(client, "hub/doctor"))
        assert {check["check"]: check["result"] for check in doctor}["Hub reachable"] == "pass", doctor
        environment = plain(await call(client, "hub/env"))
        assert local_hub.endpoint in json.dumps(environment) and token not in json.dumps(environment)
        scan = plain(await call(client, "hub/tokenScan", {"paths": [str(tmp_path / "hf")]}))
        assert scan["findings"] == [] and token not in json.dumps(scan)
        listed = plain(await call(client, "hub/authList"))
        assert listed == [] and token not in json.dumps(listed)
        via_command = plain(await asyncio.wait_for(client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="hub.whoami", arguments=[{}])), 30))
        assert via_command["user"] == "alice"


async def test_errors_carry_kind_status_request_id_and_fix(local_hub, tmp_path):
    token = local_hub.tokens["unapproved"]
    async with backend(hub_options(local_hub, tmp_path, environment={"HF_TOKEN": token})) as client:
        with pytest.raises(JsonRpcException) as gated:
            await call(client, "hub/download", {"repo": "demo/gated-model", "files": ["config.json"]})
        assert gated.value.code == -32803
        data = gated.value.data
        assert data["kind"] == "gated" and data["status"] == 403 and data["name"] == "GatedRepoError", data
        assert "accept" in data["fix"] and data["helpURL"].endswith("demo/gated-model")
        with pytest.raises(JsonRpcException) as missing:
            await call(client, "hub/info", {"repo": "demo/no-such-model"})
        assert missing.value.data["kind"] == "notFound" and missing.value.data["status"] == 404
        assert missing.value.data.get("requestId"), "the Hub's request id, for support"
        with pytest.raises(JsonRpcException) as wrong:
            await call(client, "hub/download", {"repo": "demo/tiny-model", "colour": "red"})
        assert wrong.value.code == -32602 and "revision" in wrong.value.data["accepted"]


async def test_run_magic_streams_displays_and_masks(local_hub, tmp_path):
    token = local_hub.tokens["read"]
    async with backend(hub_options(local_hub, tmp_path, environment={"HF_TOKEN": token})) as client:
        result = plain(await call(client, "hub/runMagic", {"code": f"%echo {token} and hf_{'Q' * 31}9z1\n%whoami"}))
        assert "alice" in result["data"]["text/plain"]
        streams = [params for method, params in client.seen if method == "hub/stream"]
        text = "".join(plain(p)["text"] for p in streams)
        assert token not in text and token[:3] + "****" + token[-4:] in text and "hf_****Q9z1" in text
        client.seen.clear()
        await call(client, "hub/runMagic", {"code": "%download demo/tiny-model model.safetensors"})
        displays = [plain(p) for method, p in client.seen if method == "hub/display"]
        live = [d for d in displays if d["displayId"]]
        assert live and live[0]["update"] is False and live[-1]["update"] is True
        assert {d["displayId"] for d in live} == {live[0]["displayId"]}, "updates replace the one live display"


async def test_download_progress_begin_report_end(local_hub, tmp_path):
    local_hub.set_faults({"target": "cdn", "rate": 4_000_000})
    async with backend(hub_options(local_hub, tmp_path)) as client:
        await call(client, "hub/download", {"repo": "demo/tiny-model", "files": ["model.safetensors"],
                                            "workDoneToken": "dl-1"})
        reports = client.progress_reports["dl-1"]
        kinds = [report.kind for report in reports]
        assert kinds[0] == "begin" and kinds[-1] == "end", kinds
        assert reports[0].cancellable is True and "tiny-model" in reports[0].title
        middle = [r for r in reports if r.kind == "report"]
        assert middle, "a download of several seconds reports"
        percentages = [r.percentage for r in middle if r.percentage is not None]
        assert percentages == sorted(percentages) and all(0 <= p <= 100 for p in percentages), percentages
        assert all("files" in (r.message or "") or "looking up" in (r.message or "") for r in middle), [r.message for r in middle]
        assert "1 downloaded (12.6 MB)" in reports[-1].message, reports[-1]


async def test_a_password_prompt_is_a_request_to_the_client(local_hub, tmp_path):
    token = local_hub.tokens["read"]
    async with backend(hub_options(local_hub, tmp_path)) as client:
        asked = []

        @client.feature("hub/prompt")
        def answer(params):
            asked.append(plain(params))
            return {"value": token}

        result = plain(await call(client, "hub/runMagic", {"code": "%hf_login --paste"}))
        assert asked and asked[0]["password"] is True
        assert "alice" in json.dumps(result) or "alice" in json.dumps([plain(p) for _, p in client.seen])
        assert (tmp_path / "hf" / "token").read_text().strip() == token
        assert oct((tmp_path / "hf" / "token").stat().st_mode & 0o777) == "0o600"
        assert token not in json.dumps([plain(p) for _, p in client.seen])


async def test_login_with_a_token_from_the_client(local_hub, tmp_path):
    token = local_hub.tokens["write"]
    async with backend(hub_options(local_hub, tmp_path)) as client:
        await call(client, "hub/login", {"token": token, "name": "ci-bot"})
        who = plain(await call(client, "hub/whoami"))
        assert who["user"] == "alice" and token not in json.dumps(who)


async def test_cancel_answers_at_once_and_keeps_the_backend(local_hub, tmp_path):
    async with backend(hub_options(local_hub, tmp_path)) as client:
        future = client.protocol.send_request("hub/runMagic", {"code": "%sleep 30"}, msg_id="sleepy")
        await asyncio.sleep(0.5)
        started = time.monotonic()
        client.cancel_request(types.CancelParams(id="sleepy"))
        with pytest.raises(JsonRpcException) as cancelled:
            await asyncio.wait_for(asyncio.wrap_future(future), 5)
        assert cancelled.value.code == -32800 and time.monotonic() - started < 1
        result = plain(await call(client, "hub/runMagic", {"code": "%echo still here"}))
        assert result == {"data": None}


async def test_tokens_from_the_client_explicit_first_its_own_sources_last(local_hub, tmp_path):
    read, write = local_hub.tokens["read"], local_hub.tokens["unapproved"]
    colab = {"name": "Colab secret HF_TOKEN", "token": read}
    async with backend(hub_options(local_hub, tmp_path, tokenSources=[colab])) as client:
        sources = plain(await call(client, "hub/tokenSource"))
        assert sources["winner"]["source"] == {"kind": "client", "name": "Colab secret HF_TOKEN"}, sources["winner"]
        row = next(c for c in sources["candidates"] if c["name"] == "Colab secret HF_TOKEN")
        assert row["status"] == "in force" and read not in json.dumps(sources)
        assert plain(await call(client, "hub/whoami"))["user"] == "alice"
    options = hub_options(local_hub, tmp_path, tokenSources=[colab], environment={"HF_TOKEN": read}, token=write)
    async with backend(options) as client:
        sources = plain(await call(client, "hub/tokenSource"))
        assert sources["winner"]["source"]["kind"] == "explicit", sources["winner"]
        statuses = {c["name"]: c["status"] for c in sources["candidates"]}
        assert statuses["HF_TOKEN"] == "shadowed by the explicit token" and "shadowed" in statuses["Colab secret HF_TOKEN"], statuses
        assert plain(await call(client, "hub/whoami"))["user"] == "bob"
        assert write not in json.dumps(sources) and read not in json.dumps(sources)


async def test_login_by_device_code_sends_the_link_and_code_then_the_result(local_hub, tmp_path):
    import urllib.parse
    import urllib.request

    request = urllib.request.Request(f"{local_hub.endpoint}/_admin/oauth", data=json.dumps({"interval": 1}).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=30).read()
    async with backend(hub_options(local_hub, tmp_path)) as client:
        login = asyncio.ensure_future(call(client, "hub/login", {}, timeout=60))
        card = None
        for _ in range(200):
            displays = [plain(p) for method, p in client.seen if method == "hub/display"]
            cards = [d["data"].get("application/vnd.hubkernel+json") for d in displays]
            card = next((c for c in cards if c and c.get("state") == "waiting"), None)
            if card:
                break
            await asyncio.sleep(0.05)
        assert card and card["user_code"] and card["verification_uri_complete"].startswith(local_hub.endpoint), card
        # The user opens the link the client shows and authorizes (as the local Hub's signed-in browser user).
        form = urllib.parse.urlencode({"user_code": card["user_code"], "action": "authorize"}).encode()
        await asyncio.to_thread(lambda: urllib.request.urlopen(urllib.request.Request(
            f"{local_hub.endpoint}/device", data=form, method="POST"), timeout=30).read())
        result = plain(await login)
        assert result["user"] == "alice" and result["refreshable"] is True, result
        sent = json.dumps([plain(p) for _, p in client.seen])
        token = (tmp_path / "hf" / "stored_tokens").read_text().split("hf_token = ")[1].split("\n")[0].strip()
        assert token.startswith("hf_") and token not in sent, "the token never reaches the client"
