"""The local Hub's nginx front (localhub/front.py, used by Benchmarks/download_bench.py): it must answer exactly like
the API server, serve public small files itself, and leave tokens, private repos, LFS redirects and the rest to the
API server."""
import hashlib
import shutil
import time
import urllib.parse

import pytest

from localhub.nginx import nginx_binary
from localhub.samples import add_benchmark_repo, build_samples
from localhub.server import LocalHub
from test_localhub_server import request

TINY = "demo/tiny-model"
SAME_HEADERS = ("X-Repo-Commit", "ETag", "Content-Disposition", "Content-Type", "Content-Length", "Content-Range",
                "Vary", "Access-Control-Expose-Headers", "Accept-Ranges", "X-Error-Code", "Location", "X-Linked-Etag",
                "X-Linked-Size")


@pytest.fixture(scope="module")
def fronted(tmp_path_factory):
    if nginx_binary() is None:
        pytest.skip("nginx is not installed")
    root = tmp_path_factory.mktemp("front")
    samples = build_samples(root)
    with LocalHub(root, front=True) as hub:
        yield hub, samples.tokens
    shutil.rmtree(root, ignore_errors=True)


def both(hub, path: str, method: str = "GET", headers: dict | None = None):
    """The same request to the API server and to the front: two (status, headers, body)."""
    return (request(hub.endpoint + path, method, headers, follow=False),
            request(hub.front_endpoint + path, method, headers, follow=False))


def assert_same(api, front):
    assert front[0] == api[0]
    assert {h: front[1][h] for h in SAME_HEADERS} == {h: api[1][h] for h in SAME_HEADERS}
    assert front[2] == api[2]


def served_by(hub, count: int) -> list[str]:
    """Which servers logged the requests since the log was cleared, sorted, once `count` have (nginx logs a request
    just after answering it)."""
    deadline = time.monotonic() + 5
    while len(hub.log.entries()) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.05)
    return sorted(e["server"] for e in hub.log.entries())


def url_path(repo: str, revision: str, path: str) -> str:
    return f"/{repo}/resolve/{urllib.parse.quote(revision, safe='')}/{urllib.parse.quote(path)}"


@pytest.mark.parametrize("revision", ["main", "v1.0", "refs/pr/1", "commit"])
def test_small_files_are_served_by_nginx_with_the_api_headers(fronted, revision):
    hub, _ = fronted
    repo = hub.repos[("model", TINY)]
    rev = repo.revisions["main"] if revision == "commit" else repo.revisions[revision]
    name = rev.commit if revision == "commit" else revision
    small = sorted(e.path for e in rev.files.values() if not e.is_lfs)
    assert "docs/naïve café 日本語.txt" in small or revision != "main"
    for path in small:
        for method in ("GET", "HEAD"):
            hub.log.clear()
            api, front = both(hub, url_path(TINY, name, path), method)
            assert api[0] == 200
            assert_same(api, front)
            assert served_by(hub, 2) == ["api", "front"], "nginx answered without asking the API server"


def test_ranges_are_answered_by_the_api(fronted):
    hub, _ = fronted
    size = hub.repos[("model", TINY)].revisions["main"].files["config.json"].size
    hub.log.clear()
    for header in ("bytes=0-9", "bytes=5-", "bytes=-7", f"bytes={size}-"):
        api, front = both(hub, url_path(TINY, "main", "config.json"), headers={"Range": header})
        assert api[0] in (206, 416)
        assert_same(api, front)
        assert front[1].get_all("Accept-Ranges") == ["bytes"]
    assert served_by(hub, 8) == ["api"] * 8


@pytest.mark.parametrize("path", [url_path(TINY, "main", "model.safetensors"),  # LFS: redirect to the CDN
                                  url_path("alice/private-model", "main", "config.json"),  # private
                                  url_path("demo/gated-model", "main", "config.json"),  # gated
                                  url_path("demo/old-tiny-model", "main", "config.json"),  # renamed
                                  url_path(TINY, "main", "no-such-file"),
                                  "/api/models/demo/tiny-model/tree/main?recursive=true"])
def test_everything_else_is_proxied_to_the_api(fronted, path):
    hub, _ = fronted
    hub.log.clear()
    api, front = both(hub, path)
    assert_same(api, front)
    assert served_by(hub, 2) == ["api", "api"]


def test_tokens_are_checked_by_the_api(fronted):
    hub, tokens = fronted
    path = url_path(TINY, "main", "config.json")
    hub.log.clear()
    for token in (tokens["read"], "hf_not_a_known_token"):
        api, front = both(hub, path, headers={"Authorization": f"Bearer {token}"})
        assert api[0] == (200 if token == tokens["read"] else 401)
        assert_same(api, front)
    private = request(hub.front_endpoint + url_path("alice/private-model", "main", "secret.txt"), follow=False,
                      headers={"Authorization": f"Bearer {tokens['read']}"})
    assert private[0] == 200 and private[2] == b"only alice can read this\n"
    assert served_by(hub, 5) == ["api"] * 5


def test_reload_serves_new_repos_from_nginx(fronted):
    hub, _ = fronted
    add_benchmark_repo(hub.root, "bench/front", small_files=3, small_size=100)
    hub.reload()
    hub.log.clear()
    path = url_path("bench/front", "main", "files/file_00002.txt")
    api, front = both(hub, path)
    assert api[0] == 200 and len(api[2]) == 100
    assert_same(api, front)
    assert hashlib.sha256(front[2]).hexdigest() == hashlib.sha256((hub.root / "sources" / "bench" / "bench--front" /
                                                                   "files" / "file_00002.txt").read_bytes()).hexdigest()
    assert served_by(hub, 2) == ["api", "front"]
