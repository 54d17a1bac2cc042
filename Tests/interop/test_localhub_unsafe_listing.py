"""The local Hub's hostile listings (`hostile_paths` in repos.json; sample repo `demo/hostile-model`): unsafe names are
listed like real files, and huggingface_hub 2.4.0, the reference, refuses them, which is what clients must match."""
import http.client
import json
import urllib.error
import urllib.parse
import urllib.request

import pytest

HOSTILE = "demo/hostile-model"
UNSAFE = {"main": "../../escape.txt", "absolute": "/abs.txt"}


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


@pytest.mark.parametrize("revision", sorted(UNSAFE))
def test_unsafe_name_is_listed_with_the_content_of_a_real_file(local_hub, revision):
    api = f"{local_hub.endpoint}/api/models/{HOSTILE}"
    for recursive in ("true", "false"):
        listing = get_json(f"{api}/tree/{revision}?recursive={recursive}")
        entries = {entry["path"]: entry for entry in listing}
        assert set(entries) == {"config.json", UNSAFE[revision]}
        unsafe = entries[UNSAFE[revision]]
        keys = ("type", "oid", "size")
        assert {k: unsafe[k] for k in keys} == {k: entries["config.json"][k] for k in keys}
    siblings = [s["rfilename"] for s in get_json(f"{api}/revision/{revision}")["siblings"]]
    assert sorted(siblings) == sorted(["config.json", UNSAFE[revision]])
    with pytest.raises(urllib.error.HTTPError) as missing:
        get_json(f"{api}/tree/{revision}/nested")
    assert missing.value.code == 404


@pytest.mark.parametrize("revision", sorted(UNSAFE))
def test_resolve_serves_the_unsafe_name(local_hub, revision):
    """A client that does not refuse the name gets real bytes (percent-encoded, so no URL normalisation hides it)."""
    config = local_hub.source(HOSTILE, "config.json").read_bytes()
    quoted = urllib.parse.quote(UNSAFE[revision], safe="").replace(".", "%2E")
    connection = http.client.HTTPConnection(urllib.parse.urlsplit(local_hub.endpoint).hostname,
                                            urllib.parse.urlsplit(local_hub.endpoint).port, timeout=30)
    connection.request("GET", f"/{HOSTILE}/resolve/{revision}/{quoted}")
    response = connection.getresponse()
    body = response.read()
    connection.close()
    assert response.status == 200 and body == config
    assert response.headers["X-Repo-Commit"] == local_hub.commit(HOSTILE, revision)


@pytest.mark.parametrize("local_dir", [False, True])
@pytest.mark.parametrize("revision, reason", [("main", "'..' path segment"), ("absolute", "absolute")])
def test_huggingface_hub_refuses_them(local_hub, hf_run, tmp_path, revision, reason, local_dir):
    target = f", local_dir={str(tmp_path / 'a' / 'b' / 'out')!r}" if local_dir else ""
    out = hf_run(f"""
from huggingface_hub import snapshot_download
print(json.dumps(snapshot_download({HOSTILE!r}, revision={revision!r}, cache_dir={str(tmp_path / 'cache')!r}{target})))
""")
    assert out["error"] == "ValueError" and UNSAFE[revision] in out["message"] and reason in out["message"]
    name = UNSAFE[revision].rsplit("/", 1)[-1]
    assert list(tmp_path.rglob(name)) == []
