"""The local Hub's own behaviour: Range, fault injection, admin routes, URL decoding, CDN fallback, shutdown."""
import hashlib
import http.client
import json
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from localhub.server import LocalHub

TINY = "demo/tiny-model"


def request(url, method="GET", headers=None, follow=True):
    """(status, headers, body) without raising on HTTP errors; redirects followed only if `follow`."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers or {})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    if follow and response.status in (301, 302, 307):
        return request(response.headers["Location"], method, {k: v for k, v in (headers or {}).items() if k != "Authorization"})
    return response.status, response.headers, body


def resolve(hub, path, rev="main", repo=TINY):
    return f"{hub.endpoint}/{repo}/resolve/{urllib.parse.quote(rev, safe='')}/{urllib.parse.quote(path)}"


@pytest.mark.parametrize("path", ["config.json", "model.safetensors"])
@pytest.mark.parametrize("range_header, slice_of", [
    ("bytes=0-9", slice(0, 10)), ("bytes=5-", slice(5, None)), ("bytes=-7", slice(-7, None)),
])
def test_range_requests(local_hub, path, range_header, slice_of):
    data = local_hub.source(TINY, path).read_bytes()
    status, headers, body = request(resolve(local_hub, path), headers={"Range": range_header})
    assert status == 206 and body == data[slice_of]
    start = range(len(data))[slice_of][0]
    assert headers["Content-Range"] == f"bytes {start}-{start + len(body) - 1}/{len(data)}"
    assert headers["Content-Length"] == str(len(body))


@pytest.mark.parametrize("path", ["config.json", "model.safetensors"])
def test_unsatisfiable_range_is_416(local_hub, path):
    size = local_hub.source(TINY, path).stat().st_size
    status, headers, _ = request(resolve(local_hub, path), headers={"Range": f"bytes={size}-"})
    assert status == 416 and headers["Content-Range"] == f"bytes */{size}"


def test_head_headers(local_hub):
    data = local_hub.source(TINY, "model.safetensors").read_bytes()
    status, headers, _ = request(resolve(local_hub, "model.safetensors"), "HEAD", follow=False)
    sha = hashlib.sha256(data).hexdigest()
    assert status == 302 and headers["X-Linked-Etag"] == f'"{sha}"' and headers["X-Linked-Size"] == str(len(data))
    assert headers["Location"].startswith(local_hub.cdn + "/" + sha)
    small = local_hub.source(TINY, "config.json").read_bytes()
    status, headers, _ = request(resolve(local_hub, "config.json"), "HEAD")
    assert status == 200 and headers["Content-Length"] == str(len(small)) and headers["Accept-Ranges"] == "bytes"
    assert headers["ETag"] == '"%s"' % hashlib.sha1(b"blob %d\0" % len(small) + small).hexdigest()


def test_corrupt_fault_flips_one_byte(local_hub):
    data = local_hub.source(TINY, "model.safetensors").read_bytes()
    offset = len(data) // 3
    with local_hub.faults({"target": "cdn", "corrupt_at": offset}):
        status, _, body = request(resolve(local_hub, "model.safetensors"))
    assert status == 200 and len(body) == len(data)
    assert [i for i in range(len(data)) if body[i] != data[i]] == [offset]
    assert body[offset] == data[offset] ^ 0xFF


def test_corrupt_fault_applies_to_ranges_covering_it(local_hub):
    data = local_hub.source(TINY, "config.json").read_bytes()
    with local_hub.faults({"target": "api", "corrupt_at": 20, "count": None}):
        _, _, tail = request(resolve(local_hub, "config.json"), headers={"Range": "bytes=10-"})
        _, _, head = request(resolve(local_hub, "config.json"), headers={"Range": "bytes=0-9"})
    assert head == data[:10]
    assert tail[10] == data[20] ^ 0xFF and tail[:10] + tail[11:] == data[10:20] + data[21:]


def test_status_fault_with_retry_after_for_k_requests(local_hub):
    with local_hub.faults({"path": "*/config.json", "status": 429, "retry_after": 3, "count": 2}):
        answers = [request(resolve(local_hub, "config.json")) for _ in range(3)]
        other = request(resolve(local_hub, "tokenizer.json"))
    assert [a[0] for a in answers] == [429, 429, 200]
    assert answers[0][1]["Retry-After"] == "3"
    assert other[0] == 200, "faults are scoped to their path"


def test_stall_faults(local_hub):
    local_hub.clear_log()
    with local_hub.faults({"path": "*/config.json", "stall": 0.6}):
        started = time.monotonic()
        request(resolve(local_hub, "config.json"))
        assert time.monotonic() - started >= 0.6
        request(resolve(local_hub, "config.json"))
    assert [e["fault"] for e in local_hub.log()] == ["stall_before=0.6", None], "count defaults to 1"
    with local_hub.faults({"target": "cdn", "stall": 0.6, "stall_at": 1000}):
        started = time.monotonic()
        status, _, body = request(resolve(local_hub, "model.safetensors"))
        assert time.monotonic() - started >= 0.6
    assert body == local_hub.source(TINY, "model.safetensors").read_bytes()


def test_drop_fault_cuts_the_body(local_hub):
    url = resolve(local_hub, "config.json")
    with local_hub.faults({"path": "*/config.json", "drop_after": 10}):
        parts = urllib.parse.urlsplit(url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        connection.request("GET", parts.path)
        response = connection.getresponse()
        with pytest.raises(http.client.IncompleteRead) as cut:
            response.read()
        assert len(cut.value.partial) == 10
    entry = [e for e in local_hub.log() if e["path"].endswith("/config.json")][-1]
    assert entry["bytes"] == 10 and entry["fault"] == "drop_after=10"


def test_bad_fault_rule_is_400(local_hub):
    with pytest.raises(urllib.error.HTTPError) as failure:
        local_hub.set_faults({"drop_affter": 3})
    assert failure.value.code == 400 and b"drop_affter" in failure.value.read()


def test_log_never_holds_the_token(local_hub):
    token = local_hub.tokens["read"]
    request(f"{local_hub.endpoint}/api/whoami-v2", headers={"Authorization": f"Bearer {token}"})
    text = json.dumps(local_hub.log())
    assert token not in text and '"auth": true' in text


@pytest.mark.parametrize("rev, path, want", [
    ("refs%2Fpr%2F1", "nested", ["nested/params.json"]),
    ("main", "nested%2Fdeeper", ["nested/deeper/notes.txt"]),
    ("main", "nested/deeper", ["nested/deeper/notes.txt"]),
    ("main", "docs", ["docs/naïve café 日本語.txt"]),
])
def test_tree_url_decoding(local_hub, rev, path, want):
    status, _, body = request(f"{local_hub.endpoint}/api/models/{TINY}/tree/{rev}/{path}")
    assert status == 200 and [e["path"] for e in json.loads(body)] == want


def test_pagination_link_is_absolute_and_complete(local_hub):
    url, seen = f"{local_hub.endpoint}/api/models/{TINY}/tree/main?recursive=true", []
    while url:
        status, headers, body = request(url)
        page = json.loads(body)
        assert status == 200 and len(page) <= local_hub.page_size
        seen += [e["path"] for e in page]
        link = headers.get("Link")
        url = link[1:link.index('>; rel="next"')] if link else None
        assert url is None or url.startswith(local_hub.endpoint)
    assert len(seen) == len(set(seen)) > local_hub.page_size


@pytest.mark.parametrize("url_path, role, status, code", [
    ("/api/models/alice/private-model", None, 401, "RepoNotFound"),
    ("/api/models/alice/private-model", "unapproved", 404, "RepoNotFound"),
    ("/api/models/alice/private-model", "read", 200, None),
    ("/api/models/demo/gated-model", None, 200, None),
    ("/api/models/demo/disabled-model", None, 403, "DisabledRepo"),
    ("/api/datasets/demo/tiny-model", None, 401, "RepoNotFound"),
    ("/api/models/demo/tiny-model/revision/nope", None, 404, "RevisionNotFound"),
    ("/demo/tiny-model/resolve/main/nope.txt", None, 404, "EntryNotFound"),
    ("/datasets/demo/tiny-dataset/resolve/main/data%2Ftrain.csv", None, 200, None),
    ("/spaces/demo/tiny-space/resolve/main/index.html", None, 200, None),
    ("/api/whoami-v2", None, 401, None),
])
def test_access_and_error_codes(local_hub, url_path, role, status, code):
    headers = {"Authorization": f"Bearer {local_hub.tokens[role]}"} if role else {}
    got, response_headers, _ = request(local_hub.endpoint + url_path, headers=headers)
    assert got == status and response_headers.get("X-Error-Code") == code
    if code == "EntryNotFound":
        assert len(response_headers["X-Repo-Commit"]) == 40


def test_python_cdn_origin(local_hub):
    """With cdn="python" (what happens when nginx is missing) LFS files come from the Python origin."""
    with LocalHub(local_hub.root, cdn="python") as hub:
        assert hub.nginx is None and hub.cdn == hub.python_cdn
        status, headers, _ = request(resolve(hub, "model.safetensors"), "HEAD", follow=False)
        assert status == 302 and headers["Location"].startswith(hub.python_cdn + "/")
        status, _, body = request(resolve(hub, "model.safetensors"))
        assert status == 200 and body == local_hub.source(TINY, "model.safetensors").read_bytes()
        status, _, _ = request(headers["Location"], headers={"Authorization": "Bearer x"})
        assert status == 400


def test_serve_stops_cleanly_on_sigterm(local_hub):
    process = subprocess.Popen([sys.executable, "-m", "localhub", "serve", "--root", str(local_hub.root)],
                               cwd=Path(__file__).resolve().parents[2], stdout=subprocess.PIPE, text=True)
    try:
        info = json.loads(process.stdout.readline())
        assert set(info) >= {"endpoint", "cdn"}
        assert request(info["endpoint"] + "/api/models/demo/tiny-model")[0] == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
        for url in (info["endpoint"], info["cdn"]):
            with pytest.raises(OSError):
                request(url + "/")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.parametrize("url_path", ["/api/whoami-v2", "/api/models/demo/tiny-model", "/demo/tiny-model/resolve/main/config.json"])
def test_unknown_token_is_401_invalid_credentials(local_hub, url_path):
    """huggingface_hub tells a bad token from a missing repo by this exact message (its REPO_API_REGEX only matches
    https endpoints, so the fidelity suite over http cannot observe it: checked here)."""
    status, headers, body = request(local_hub.endpoint + url_path, headers={"Authorization": "Bearer hf_unknown"})
    assert status == 401 and headers["X-Error-Message"] == "Invalid credentials in Authorization header"
    assert headers.get("X-Error-Code") is None
    assert json.loads(body) == {"error": "Invalid credentials in Authorization header"}


def test_benchmark_repo_added_at_run_time(local_hub, hf_run):
    local_hub.add_benchmark_repo("bench/small-and-large", small_files=7, small_size=300, large_size=3 * 1024 * 1024)
    result = hf_run("""
from huggingface_hub import snapshot_download
folder = snapshot_download('bench/small-and-large')
print(json.dumps(sorted(os.path.relpath(os.path.join(d, f), folder) for d, _, fs in os.walk(folder) for f in fs)))
""")
    source = local_hub.source_dir("bench/small-and-large")
    assert result == sorted([f"files/file_{i:05d}.txt" for i in range(7)] + ["large.bin"])
    assert (source / "large.bin").stat().st_size == 3 * 1024 * 1024
    assert all((source / name).stat().st_size == 300 for name in result if name.startswith("files/"))


@pytest.mark.parametrize("old, new", [
    ("/api/models/demo/old-tiny-model", "/api/models/demo/tiny-model"),
    ("/api/models/demo/old-tiny-model/tree/main?recursive=true", "/api/models/demo/tiny-model/tree/main?recursive=true"),
    ("/demo/old-tiny-model/resolve/main/config.json", "/demo/tiny-model/resolve/main/config.json"),
])
def test_renamed_repo_location_is_relative(local_hub, old, new):
    status, headers, _ = request(local_hub.endpoint + old, "HEAD" if "resolve" in old else "GET", follow=False)
    assert status == 307 and headers["Location"] == new


@pytest.mark.parametrize("url_path", [
    "/", "/api", "/api/models", "/api/models/", "/api/models/demo/tiny-model/tree", "/api/models/a/b/c/d/e",
    "/demo/tiny-model/resolve", "/demo/tiny-model/resolve/main", "/demo/tiny-model/resolve/main/%ZZ",
    "/demo/tiny-model/resolve/%ff%fe/config.json", "/api/models/demo/tiny-model/tree/main?cursor=!!!",
    "/../../etc/passwd", "/demo/tiny-model/resolve/main/../../../etc/passwd", "/datasets", "/spaces/x",
])
def test_malformed_requests_get_4xx(local_hub, url_path):
    status, _, _ = request(local_hub.endpoint + url_path)
    assert 400 <= status < 500
    assert request(resolve(local_hub, "config.json"))[0] == 200, "the hub keeps serving"


def test_tokens_added_while_running(local_hub):
    """The state file is re-read when it changes: a test may mint a token for a user while the hub runs."""
    from localhub.samples import new_token
    state_path = local_hub.root / "state.json"
    original = state_path.read_text()
    token = new_token()
    state = json.loads(original)
    state["tokens"][token] = {"user": "bob", "displayName": "minted", "role": "write"}
    try:
        state_path.write_text(json.dumps(state))
        status, _, body = request(f"{local_hub.endpoint}/api/whoami-v2", headers={"Authorization": f"Bearer {token}"})
        assert status == 200 and json.loads(body)["auth"]["accessToken"] == {
            "displayName": "minted", "role": "write", "createdAt": json.loads(body)["auth"]["accessToken"]["createdAt"]}
    finally:
        state_path.write_text(original)
    assert request(f"{local_hub.endpoint}/api/whoami-v2", headers={"Authorization": f"Bearer {token}"})[0] == 401


def test_samples_cli_never_prints_tokens(tmp_path):
    done = subprocess.run([sys.executable, "-m", "localhub", "samples", str(tmp_path), "--model-size", "2000000"],
                          cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True, check=True)
    state = json.loads((tmp_path / "state.json").read_text())
    assert set(state["roles"]) == {"read", "write", "fine", "unapproved", "pending"}
    assert set(state["roles"].values()) == set(state["tokens"])
    assert not any(token in done.stdout + done.stderr for token in state["tokens"])
    assert (tmp_path / "state.json").stat().st_mode & 0o077 == 0
    assert (tmp_path / "sources/tiny-model/main/model.safetensors").stat().st_size == 2000000


def test_sample_model_is_valid_safetensors(local_hub):
    import struct
    data = local_hub.source(TINY, "model.safetensors").read_bytes()
    (header_len,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + header_len])
    begin, end = header["weight"]["data_offsets"]
    assert header["weight"]["dtype"] == "U8" and header["weight"]["shape"] == [end - begin]
    assert begin == 0 and 8 + header_len + end == len(data)


def test_clear_log_forgets_requests_still_in_flight(local_hub):
    """A request that arrived before clear_log() but is logged after it (answered later) is not listed."""
    import threading
    with local_hub.faults({"path": "*/README.md", "stall": 0.5, "stall_at": 1}):
        slow = threading.Thread(target=request, args=(resolve(local_hub, "README.md"),))
        slow.start()
        time.sleep(0.2)
        local_hub.clear_log()
        request(resolve(local_hub, "tokenizer.json"))
        slow.join()
    assert [e["path"] for e in local_hub.log()] == [f"/{TINY}/resolve/main/tokenizer.json"]
