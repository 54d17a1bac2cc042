"""Xet storage on the local Hub, proved with the reference client: huggingface_hub 2.4.0 with hf_xet 1.8.0 downloads
Xet-backed files through the CAS server's reconstruction API and signed xorb ranges, exactly as from huggingface.co.

The hashing and the chunker are checked against hf_xet itself (`hf_xet.hash_files` computes the Xet file hash of a
file on disk) and against xet-core's own merkle reference vectors; the xorbs are checked by parsing them back and by
hf_xet decoding them (every compression scheme occurs in the sample file).
"""
import hashlib
import json
import os
import struct
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from fixtures.hub import xet_local_hub
from localhub import xet
from localhub.blake3 import blake3, keyed_blake3, pure_blake3, pure_keyed_blake3
from localhub.samples import xet_sample_bytes

XET_REPO = "demo/xet-model"
GATED_XET_REPO = "demo/xet-gated-model"
MIB = 1024 * 1024

# From xet-core's merklehash `aggregated_hashes` test_correctness (reference values for other implementations).
XET_CORE_MERKLE_VECTORS = [  # (chunk hashes and sizes, xorb hash, [(salt, file hash)])
    ([("cfc5d07f6f03c29bbf424132963fe08d19a37d5757aaf520bf08119f05cd56d6", 100),
      ("c3e67584b5c4fc2a89837ec39e40f2c8a6bb0b2987ac94cd4b31e5fbdd210a72", 200),
      ("0d2beb91b9196929a5ddec9f6e306924ddf4a24268e3e59fd8464738d525af37", 300)],
     "71ec1275fca074724e2dd666921b3277c7cee603e4d025bcab2d4050015be2bc",
     [("0000000000000000000000000000000000000000000000000000000000000000", "54e55dccc6653c612bdb5576c5d3cb34bb31bc4e100248abccf4c908b3ef7715"),
      ("b286606709ef32a1cfede1e603a39f83fef56772d8234c0e35d8920071d80b69", "337f1f046e4cfc1057f0f3edbd87cf977fdfaf3c2b0c0031ca2d1d2a34aa2270")]),
    ([("cfc5d07f6f03c29bbf424132963fe08d19a37d5757aaf520bf08119f05cd56d6", 100),
      ("c3e67584b5c4fc2a89837ec39e40f2c8a6bb0b2987ac94cd4b31e5fbdd210a72", 200),
      ("cfc5d07f6f03c29bbf424132963fe08d19a37d5757aaf520bf08119f05cd56d6", 100),
      ("c3e67584b5c4fc2a89837ec39e40f2c8a6bb0b2987ac94cd4b31e5fbdd210a72", 200),
      ("0d2beb91b9196929a5ddec9f6e306924ddf4a24268e3e59fd8464738d525af37", 300),
      ("adf8773496a9b7319b2e50dc98093f344053b17d8ad37100b9c07d9805988784", 400)],
     "52c826f99507aa05d0b45e9837fa1709e0485425cfbcb1e80db3905cf98b3ee9",
     [("0000000000000000000000000000000000000000000000000000000000000000", "91d21684db364c8883ab8209fa5eb2e781cf07f37e1fa43e731c30839afe422f"),
      ("fceabc1f6c6aaaa176bc53b2d6899a3ab99eaebd13b5f0cf36080e6f894bbbf5", "b70b051189a20b58d0c832111e0470396094518b6af8bd8c813c9ccb764ab602")]),
    ([("0000000000000000000000000000000000000000000000000000000000000000", 0),
      ("cfc5d07f6f03c29bbf424132963fe08d19a37d5757aaf520bf08119f05cd56d6", 100),
      ("c3e67584b5c4fc2a89837ec39e40f2c8a6bb0b2987ac94cd4b31e5fbdd210a72", 200),
      ("0d2beb91b9196929a5ddec9f6e306924ddf4a24268e3e59fd8464738d525af37", 300),
      ("adf8773496a9b7319b2e50dc98093f344053b17d8ad37100b9c07d9805988784", 400),
      ("4ac202caf347fc1e9c874b1ef6a1c5e619141eb775a6f43f0f0124ccd0060d9e", 500),
      ("b3b28636f65c149ea52eb1f94669466f70f033b54cea792824c696ba6ef3c389", 600),
      ("0e2c1a002aae913d2c0fc8ddfa4e9e14b7b311b3b0d458726d5d9f6a6318013c", 700),
      ("cfc5d07f6f03c29bbf424132963fe08d19a37d5757aaf520bf08119f05cd56d6", 100),
      ("cfc5d07f6f03c29bbf424132963fe08d19a37d5757aaf520bf08119f05cd56d6", 100),
      ("cfc5d07f6f03c29bbf424132963fe08d19a37d5757aaf520bf08119f05cd56d6", 100),
      ("cfc5d07f6f03c29bbf424132963fe08d19a37d5757aaf520bf08119f05cd56d6", 100)],
     "e7fc30b73ec9930593f80fe777b334e9d3bb73e45e6a79fa5784b2603446158b",
     [("0000000000000000000000000000000000000000000000000000000000000000", "69e1af2fd6023ce133e0d1b90e32d1d42ef79f5a710f2b0accfc3a735e98de9d"),
      ("0d3ba68f70ce4c1f642b12ff526fefe28db27becb0bbf2ea181193f70f6c3f09", "fe45928c54aa340354af57c83cf6eb8056a2d2e623a1f73afdc3e777babe7ba1")]),
    ([("0000000000000000000000000000000000000000000000000000000000000000", 0),
      ("0000000000000000000000000000000000000000000000000000000000000000", 0),
      ("cfc5d07f6f03c29bbf424132963fe08d19a37d5757aaf520bf08119f05cd56d6", 100),
      ("cfc5d07f6f03c29bbf424132963fe08d19a37d5757aaf520bf08119f05cd56d6", 100),
      ("c3e67584b5c4fc2a89837ec39e40f2c8a6bb0b2987ac94cd4b31e5fbdd210a72", 200),
      ("c3e67584b5c4fc2a89837ec39e40f2c8a6bb0b2987ac94cd4b31e5fbdd210a72", 200),
      ("0d2beb91b9196929a5ddec9f6e306924ddf4a24268e3e59fd8464738d525af37", 300),
      ("0d2beb91b9196929a5ddec9f6e306924ddf4a24268e3e59fd8464738d525af37", 300),
      ("adf8773496a9b7319b2e50dc98093f344053b17d8ad37100b9c07d9805988784", 400),
      ("adf8773496a9b7319b2e50dc98093f344053b17d8ad37100b9c07d9805988784", 400),
      ("4ac202caf347fc1e9c874b1ef6a1c5e619141eb775a6f43f0f0124ccd0060d9e", 500),
      ("4ac202caf347fc1e9c874b1ef6a1c5e619141eb775a6f43f0f0124ccd0060d9e", 500),
      ("b3b28636f65c149ea52eb1f94669466f70f033b54cea792824c696ba6ef3c389", 600),
      ("b3b28636f65c149ea52eb1f94669466f70f033b54cea792824c696ba6ef3c389", 600),
      ("0e2c1a002aae913d2c0fc8ddfa4e9e14b7b311b3b0d458726d5d9f6a6318013c", 700),
      ("0e2c1a002aae913d2c0fc8ddfa4e9e14b7b311b3b0d458726d5d9f6a6318013c", 700)],
     "636c65db520ec16e8166f9ec7a0cf9f74b26369077ac60160ec0221c86bc9f77",
     [("0000000000000000000000000000000000000000000000000000000000000000", "6a90ad0d6f5246ac61f1de898c6944c03e14004a1368e6fb23387108c4d039e0"),
      ("9cf26338dd0a43d6b8ae238d197a558db083f42918b6abebe9c6008a982459fe", "7f14769cb2a682654aa7aa6b08845643b6973adb313b975fd319d34456bb9159")]),
]


@pytest.fixture(scope="module")
def local_hub(tmp_path_factory):
    """A local Hub of its own (this module adds Xet repos to it), with demo/xet-model and demo/xet-gated-model."""
    with xet_local_hub(tmp_path_factory.mktemp("localhub-xet")) as hub:
        yield hub


def http(url: str, method: str = "GET", headers: dict | None = None):
    """(status, headers, body) without following redirects."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def cas_url(local_hub) -> str:
    return local_hub._admin("GET", "info")["cas"]


def read_token(local_hub, repo=XET_REPO, token=None) -> tuple[int, dict]:
    commit = local_hub.commit(repo) if token is None else None
    url = f"{local_hub.endpoint}/api/models/{repo}/xet-read-token/{commit or 'main'}"
    status, _, body = http(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    return status, json.loads(body)


DOWNLOAD = """
from huggingface_hub import hf_hub_download
path = hf_hub_download({repo!r}, {filename!r})
print(json.dumps({{"path": path}}))
"""


# -- hashes, chunks, compression, xorbs (no server) --------------------------------------------------------------------
@pytest.mark.parametrize("plain, keyed", [(blake3, keyed_blake3), (pure_blake3, pure_keyed_blake3)],
                         ids=["default", "pure-python"])
def test_blake3_known_answers(plain, keyed):
    assert plain(b"").hex() == "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
    assert plain(b"abc").hex() == "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85"
    assert keyed(b"whats the Elvish word for friend", b"").hex() == (
        "92b2b75604ed3c761f9d6f62392c8a9227ad0ea3f09573e783f1498a4ed60d26")
    data = bytes(range(256)) * 41  # several BLAKE3 chunks and a partial one: the pure and default forms agree
    assert pure_keyed_blake3(xet.DATA_KEY, data) == keyed_blake3(xet.DATA_KEY, data)


@pytest.mark.parametrize("nodes, xorb_hash, salted", XET_CORE_MERKLE_VECTORS)
def test_merkle_hashes_match_xet_core_vectors(nodes, xorb_hash, salted):
    chunks = [(xet.from_xet_hex(h), size) for h, size in nodes]
    assert xet.xet_hex(xet.xorb_hash(chunks)) == xorb_hash
    for salt, expected in salted:
        assert xet.xet_hex(xet.file_hash(chunks, xet.from_xet_hex(salt))) == expected


def test_hex_form_is_xet_core_s():
    raw = bytes([22, 175, 58, 132, 4, 75, 131, 214, 190, 153, 138, 66, 226, 3, 153, 242, 204, 86, 80, 234, 249, 153,
                 80, 99, 159, 80, 65, 138, 236, 231, 149, 78])
    assert xet.xet_hex(raw) == "d6834b04843aaf16f29903e2428a99be635099f9ea5056cc4e95e7ec8a41509f"
    assert xet.from_xet_hex(xet.xet_hex(raw)) == raw


def _our_file_hash(data: bytes) -> str:
    chunks, start = [], 0
    for end in xet.chunk_boundaries(data):
        chunks.append((xet.chunk_hash(data[start:end]), end - start))
        start = end
    return xet.xet_hex(xet.file_hash(chunks))


@pytest.mark.parametrize("name, data", [
    ("tiny", b"hello xet"),
    ("under-min-chunk", bytes(range(256)) * 20),
    ("zeros-max-chunks", bytes(300 * 1024)),  # no content boundary: cut at 128 KiB
    ("sample", xet_sample_bytes("unit", 2 * MIB)),
])
def test_chunker_and_file_hash_match_hf_xet(tmp_path, name, data):
    import hf_xet

    path = tmp_path / name
    path.write_bytes(data)
    [reference] = hf_xet.hash_files([str(path)])
    assert _our_file_hash(data) == reference.hash
    ends = xet.chunk_boundaries(data)
    sizes = [b - a for a, b in zip([0, *ends], ends)]
    assert all(size <= xet.MAX_CHUNK for size in sizes)
    assert all(size >= xet.MIN_CHUNK for size in sizes[:-1])
    if name == "sample":
        assert len(ends) > 10


@pytest.mark.parametrize("data", [b"", b"a", b"abcabcabcabcabcabcabc" * 50, os.urandom(70_000), bytes(200_000),
                                  struct.pack("<5000f", *(1.0 + i / 5000 for i in range(5000)))])
def test_lz4_frames_and_byte_grouping_round_trip(data):
    assert xet.lz4_frame_decompress(xet.lz4_frame_compress(data)) == data
    assert xet.bg4_regroup(xet.bg4_split(data)) == data
    for scheme in (xet.NONE, xet.LZ4, xet.BG4_LZ4):
        used, packed = xet.compress_chunk(data, scheme)
        assert xet.decompress_chunk(used, packed) == data
        assert len(packed) <= len(data)


def test_xet_store_builds_deduplicated_xorbs(tmp_path):
    data = xet_sample_bytes("store", 2 * MIB)
    source = tmp_path / "f.bin"
    source.write_bytes(data)
    store = xet.XetStore(tmp_path / "xet")
    built = store.ingest(source, hashlib.sha256(data).hexdigest())
    assert built.hash == _our_file_hash(data) and built.size == len(data)
    rebuilt, schemes = b"", set()
    for term in built.terms:
        blob = store.xorb_path(term.xorb).read_bytes()
        parsed = xet.parse_xorb(blob)
        assert xet.xet_hex(parsed["hash"]) == term.xorb
        assert all(xet.chunk_hash(c) == h for c, h in zip(parsed["chunks"], parsed["hashes"]))
        pairs = [(h, len(c)) for h, c in zip(parsed["hashes"], parsed["chunks"])]
        assert xet.xet_hex(xet.xorb_hash(pairs)) == term.xorb
        assert parsed["footer_start"] == parsed["boundaries"][-1]
        schemes |= {xet.SCHEME_NAMES[s] for s in parsed["schemes"]}
        rebuilt += b"".join(parsed["chunks"][term.start:term.end])
    assert rebuilt == data
    assert schemes == {"none", "lz4", "bg4-lz4"}
    n_chunks = sum(t.end - t.start for t in built.terms)
    assert n_chunks > len(store.xorb(built.terms[0].xorb).boundaries), "the repeated random run is deduplicated"
    # A second store over the same directory reuses the record instead of hashing again.
    again = xet.XetStore(tmp_path / "xet").ingest(source, hashlib.sha256(data).hexdigest())
    assert again == built


# -- the local Hub -----------------------------------------------------------------------------------------------------
def test_resolve_answers_xet_headers(local_hub):
    source = local_hub.source(XET_REPO, "model.bin").read_bytes()
    status, headers, _ = http(f"{local_hub.endpoint}/{XET_REPO}/resolve/main/model.bin", "HEAD")
    assert status == 302
    assert headers["X-Xet-Hash"] == _our_file_hash(source)
    assert headers["X-Repo-Commit"] == local_hub.commit(XET_REPO)
    assert headers["ETag"] == headers["X-Linked-Etag"] == f'"{hashlib.sha256(source).hexdigest()}"'
    assert int(headers["X-Linked-Size"]) == len(source)
    link = headers["Link"]
    assert f'<{cas_url(local_hub)}/v1/reconstructions/{headers["X-Xet-Hash"]}>; rel="xet-reconstruction-info"' in link
    token_url = f"{local_hub.endpoint}/api/models/{XET_REPO}/xet-read-token/{local_hub.commit(XET_REPO)}"
    assert f'<{token_url}>; rel="xet-auth"' in link
    # The tree lists the Xet hash; small files of the same repo stay regular.
    with urllib.request.urlopen(f"{local_hub.endpoint}/api/models/{XET_REPO}/tree/main") as response:
        tree = {e["path"]: e for e in json.loads(response.read())}
    assert tree["model.bin"]["xetHash"] == headers["X-Xet-Hash"] and "lfs" in tree["model.bin"]
    assert "xetHash" not in tree["README.md"]
    status, headers, _ = http(f"{local_hub.endpoint}/{XET_REPO}/resolve/main/README.md", "HEAD")
    assert status == 200 and "X-Xet-Hash" not in headers


def test_read_token_shape(local_hub):
    status, body = read_token(local_hub)
    assert status == 200 and set(body) == {"accessToken", "exp", "casUrl"}
    assert body["casUrl"] == cas_url(local_hub) and body["exp"] > 0


def _xet_log(local_hub) -> list[dict]:
    return [e for e in local_hub.log() if e["server"] in ("cas", "cdn", "nginx") or "xet-read-token" in e["path"]]


@pytest.mark.parametrize("api_version", ["auto", "1"])
def test_hf_hub_download_goes_through_xet(local_hub, hf_env, hf_run, api_version):
    """hf_xet asks for the v2 reconstruction (v1 when forced), then fetches xorb ranges from the signed URLs; the
    bridge (the CDN serving whole files) is not touched."""
    if api_version != "auto":
        hf_env["HF_XET_CLIENT_RECONSTRUCTION_API_VERSION"] = api_version
    source = local_hub.source(XET_REPO, "model.bin")
    local_hub.clear_log()
    result = hf_run(DOWNLOAD.format(repo=XET_REPO, filename="model.bin"))
    assert "error" not in result, result
    assert Path(result["path"]).read_bytes() == source.read_bytes()
    log = _xet_log(local_hub)
    file_hash = _our_file_hash(source.read_bytes())
    reconstructions = [e for e in log if e["path"].endswith(f"/reconstructions/{file_hash}")]
    xorbs = [e for e in log if e["path"].startswith("/xorbs/default/")]
    assert reconstructions and all(e["server"] == "cas" and e["status"] == 200 and e["auth"] for e in reconstructions)
    assert {e["path"].split("/")[1] for e in reconstructions} == ({"v2"} if api_version == "auto" else {"v1"})
    assert xorbs and all(e["status"] == 206 and e["range"].startswith("bytes=") and not e["auth"] for e in xorbs)
    assert sum(e["bytes"] for e in xorbs) < len(source.read_bytes()), "deduplicated and compressed"
    assert not [e for e in log if e["server"] in ("cdn", "nginx")], "the bridge was not used"
    assert [e["status"] for e in log if "xet-read-token" in e["path"]] == [200]


def test_disable_xet_downloads_over_http(local_hub, hf_env, hf_run):
    hf_env["HF_HUB_DISABLE_XET"] = "1"
    source = local_hub.source(XET_REPO, "model.bin")
    local_hub.clear_log()
    result = hf_run(DOWNLOAD.format(repo=XET_REPO, filename="model.bin"))
    assert Path(result["path"]).read_bytes() == source.read_bytes()
    log = _xet_log(local_hub)
    sha256 = hashlib.sha256(source.read_bytes()).hexdigest()
    assert [e["status"] for e in log if e["server"] in ("cdn", "nginx") and e["path"] == f"/{sha256}"] == [200]
    assert not [e for e in log if e["server"] == "cas" or "xet-read-token" in e["path"]]


def test_gated_xet_repo_refuses_the_read_token(local_hub, hf_run):
    assert read_token(local_hub, GATED_XET_REPO, token=local_hub.tokens["unapproved"])[0] == 403
    status, _, _ = http(f"{local_hub.endpoint}/api/models/{GATED_XET_REPO}/xet-read-token/main")
    assert status == 401
    result = hf_run(DOWNLOAD.format(repo=GATED_XET_REPO, filename="model.bin"), token=local_hub.tokens["unapproved"])
    assert result["error"] == "GatedRepoError" and result["status"] == 403
    assert read_token(local_hub, GATED_XET_REPO, token=local_hub.tokens["read"])[0] == 200
    local_hub.clear_log()
    result = hf_run(DOWNLOAD.format(repo=GATED_XET_REPO, filename="model.bin"), token=local_hub.tokens["read"])
    assert Path(result["path"]).read_bytes() == local_hub.source(GATED_XET_REPO, "model.bin").read_bytes()
    assert any(e["server"] == "cas" and "/reconstructions/" in e["path"] for e in local_hub.log())


def test_cas_checks_tokens_and_serves_exact_ranges(local_hub):
    cas = cas_url(local_hub)
    data = local_hub.source(XET_REPO, "model.bin").read_bytes()
    file_hash = _our_file_hash(data)
    url = f"{cas}/v1/reconstructions/{file_hash}"
    assert http(url)[0] == 401
    assert http(url, headers={"Authorization": "Bearer xet_not-a-token"})[0] == 401
    gated_token = read_token(local_hub, GATED_XET_REPO, token=local_hub.tokens["read"])[1]["accessToken"]
    token = read_token(local_hub)[1]["accessToken"]
    auth = {"Authorization": f"Bearer {token}"}
    assert http(f"{cas}/v2/reconstructions/{'0' * 64}", headers=auth)[0] == 404
    assert http(url, headers={**auth, "Range": f"bytes={len(data)}-{len(data) + 10}"})[0] == 416
    # The same file is in the gated repo: its token reads it too; a token of another repo would get 403.
    assert http(url, headers={"Authorization": f"Bearer {gated_token}"})[0] == 200
    for start, end in [(0, len(data) - 1), (1_000_000, 1_000_999), (len(data) - 5, len(data) + 100)]:
        for version in ("v1", "v2"):
            status, _, body = http(f"{cas}/{version}/reconstructions/{file_hash}",
                                   headers={**auth, "Range": f"bytes={start}-{end}"})
            assert status == 200
            plan = json.loads(body)
            out = b""
            for k, term in enumerate(plan["terms"]):
                wanted = term["range"]
                if version == "v1":
                    fetch = next(f for f in plan["fetch_info"][term["hash"]]
                                 if f["range"]["start"] <= wanted["start"] and wanted["end"] <= f["range"]["end"])
                    first, url_ = fetch["range"]["start"], fetch["url"]
                    lo, hi = fetch["url_range"]["start"], fetch["url_range"]["end"]
                else:
                    [entry] = plan["xorbs"][term["hash"]]
                    span = next(r for r in entry["ranges"]
                                if r["chunks"]["start"] <= wanted["start"] and wanted["end"] <= r["chunks"]["end"])
                    first, url_ = span["chunks"]["start"], entry["url"]
                    lo, hi = span["bytes"]["start"], span["bytes"]["end"]
                status, headers, blob = http(url_, headers={"Range": f"bytes={lo}-{hi}"})
                assert status == 206 and len(blob) == hi - lo + 1
                whole = local_hub.root / ".localhub" / "xet" / "xorbs" / term["hash"]
                assert blob == whole.read_bytes()[lo:hi + 1], "xorb ranges are byte-exact"
                assert headers["Content-Range"] == f"bytes {lo}-{hi}/{whole.stat().st_size}"
                chunks, offset = [], 0
                while offset < len(blob):
                    size, scheme = int.from_bytes(blob[offset + 1:offset + 4], "little"), blob[offset + 4]
                    chunks.append(xet.decompress_chunk(scheme, blob[offset + 8:offset + 8 + size]))
                    offset += 8 + size
                piece = b"".join(chunks[term["range"]["start"] - first:term["range"]["end"] - first])
                assert len(piece) == term["unpacked_length"]
                out += piece[plan["offset_into_first_range"]:] if k == 0 else piece
            assert out[:min(end, len(data) - 1) - start + 1] == data[start:end + 1]
    # Signed URLs: tampered or with an Authorization header are refused.
    xorb_url = plan["xorbs"][plan["terms"][0]["hash"]][0]["url"]
    assert http(xorb_url.replace("X-Xet-Signature=", "X-Xet-Signature=0"))[0] == 403
    assert http(xorb_url, headers=auth)[0] == 400


def test_expired_tokens_and_urls_are_refused(local_hub):
    cas = cas_url(local_hub)
    file_hash = _our_file_hash(local_hub.source(XET_REPO, "model.bin").read_bytes())
    local_hub._admin("POST", "xet", {"token_ttl": 1, "url_ttl": 1})
    try:
        token = read_token(local_hub)[1]["accessToken"]
        status, _, body = http(f"{cas}/v2/reconstructions/{file_hash}", headers={"Authorization": f"Bearer {token}"})
        assert status == 200
        plan = json.loads(body)
        time.sleep(2.1)
        assert http(f"{cas}/v2/reconstructions/{file_hash}", headers={"Authorization": f"Bearer {token}"})[0] == 401
        assert http(plan["xorbs"][plan["terms"][0]["hash"]][0]["url"], headers={"Range": "bytes=0-99"})[0] == 403
    finally:
        local_hub._admin("POST", "xet", {"reset": True})


def test_hf_xet_retries_a_failed_xorb_range(local_hub, hf_run):
    """A 503 on the first xorb range (a fault on the CAS server): hf_xet retries and the file is still right."""
    source = local_hub.source(XET_REPO, "model.bin")
    local_hub.clear_log()
    with local_hub.faults({"target": "cas", "path": "/xorbs/*", "status": 503, "retry_after": 0}):
        result = hf_run(DOWNLOAD.format(repo=XET_REPO, filename="model.bin"))
    assert Path(result["path"]).read_bytes() == source.read_bytes()
    statuses = [e["status"] for e in local_hub.log() if e["path"].startswith("/xorbs/")]
    assert statuses[0] == 503 and statuses[-1] == 206
