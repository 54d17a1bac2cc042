"""The local Hub's slow-link faults: `rate` paces a body, and a stall ends as soon as the client hangs up (so an
abandoned response is in the request log at once, not after the stall)."""
import http.client
import socket
import time
import urllib.parse

import pytest

TINY = "demo/tiny-model"
KIB = 1024


def open_resolve(local_hub, path: str, headers: dict | None = None):
    """A GET of `path` in demo/tiny-model, following the LFS redirect by hand; returns the open connection."""
    url = f"{local_hub.endpoint}/{TINY}/resolve/main/{path}"
    for _ in range(2):
        parts = urllib.parse.urlsplit(url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        connection.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers or {})
        response = connection.getresponse()
        if response.status != 302:
            return connection, response
        response.read()
        connection.close()
        url = response.headers["Location"]
    raise AssertionError("too many redirects")


@pytest.mark.parametrize("path, target", [("config.json", "api"), ("model.safetensors", "cdn")])
def test_rate_paces_the_body(local_hub, path, target):
    data = local_hub.source(TINY, path).read_bytes()
    length = min(len(data), 80 * KIB)
    rate = 200 * KIB  # bytes per second: `length` takes at least length / rate seconds
    local_hub.clear_log()
    with local_hub.faults({"path": f"*{path}", "target": target, "rate": rate}):
        started = time.monotonic()
        connection, response = open_resolve(local_hub, path, {"Range": f"bytes=0-{length - 1}"})
        body = response.read()
        elapsed = time.monotonic() - started
        connection.close()
    assert body == data[:length]
    assert elapsed >= 0.9 * (length / rate)
    paced = [e for e in local_hub.log() if e["status"] == 206]
    assert [(e["server"], e["fault"], e["bytes"]) for e in paced] == [(target, f"rate={rate}", length)]


def test_unpaced_body_is_fast(local_hub):
    """The same request without the rule: the pacing above comes from the rule, not from the server."""
    data = local_hub.source(TINY, "model.safetensors").read_bytes()
    started = time.monotonic()
    connection, response = open_resolve(local_hub, "model.safetensors", {"Range": f"bytes=0-{80 * KIB - 1}"})
    assert response.read() == data[:80 * KIB]
    connection.close()
    assert time.monotonic() - started < 0.9 * (80 * KIB / (200 * KIB))


def test_bad_rate_is_400(local_hub):
    import urllib.error
    for rate in (0, -5, "fast"):
        with pytest.raises(urllib.error.HTTPError) as failure:
            local_hub.set_faults({"rate": rate})
        assert failure.value.code == 400 and b"rate" in failure.value.read()


@pytest.mark.parametrize("rule", [{"stall": 30, "stall_at": 1000}, {"stall": 30}], ids=["mid-body", "before-headers"])
def test_stall_ends_when_the_client_hangs_up(local_hub, rule):
    local_hub.clear_log()
    with local_hub.faults({"path": "*model.safetensors", "target": "cdn", **rule}):
        url = f"{local_hub.endpoint}/{TINY}/resolve/main/model.safetensors"
        connection, response = open_resolve(local_hub, "model.safetensors") if "stall_at" in rule else (None, None)
        if response is not None:
            assert response.read(1000) == local_hub.source(TINY, "model.safetensors").read_bytes()[:1000]
            connection.sock.shutdown(socket.SHUT_RDWR)
            connection.close()
        else:  # the stall is before the headers: send the CDN request, then hang up without an answer
            redirect = http.client.HTTPConnection(urllib.parse.urlsplit(url).hostname, urllib.parse.urlsplit(url).port)
            redirect.request("GET", urllib.parse.urlsplit(url).path)
            location = urllib.parse.urlsplit(redirect.getresponse().headers["Location"])
            redirect.close()
            raw = socket.create_connection((location.hostname, location.port), timeout=30)
            raw.sendall(f"GET {location.path}?{location.query} HTTP/1.1\r\nHost: {location.netloc}\r\n\r\n".encode())
            time.sleep(0.3)
            raw.close()
        hung_up = time.monotonic()
        deadline = hung_up + 10
        while time.monotonic() < deadline:
            cdn = [e for e in local_hub.log(settle=0.05) if e["server"] == "cdn"]
            if cdn:
                break
    assert cdn, "the abandoned response was logged"
    assert time.monotonic() - hung_up < 10 < rule["stall"]
