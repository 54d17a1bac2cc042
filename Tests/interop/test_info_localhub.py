"""`hubkernel info` / `%info` against the local Hub: the numbers equal what huggingface_hub 2.4.0 reports
(`get_safetensors_metadata`, `model_info`, `auth_check`), the weights are never fetched (the request log shows only
Range requests no longer than the header), and the cache, disk space, access and offline cases."""
from __future__ import annotations

import json
import math
import os
import pathlib
import struct
import subprocess
import sys

import pytest

from fixtures.kernel import hubkernel_bin, run_cell

SINGLE, SHARDED, GATED = "demo/safetensors-model", "demo/sharded-model", "demo/gated-model"


def info(env, *args, expect_ok=True):
    """`hubkernel info --json …` → (completed process, parsed JSON or None)."""
    done = subprocess.run([hubkernel_bin(), "info", "--json", *args], env=env, capture_output=True, text=True, timeout=120)
    if expect_ok:
        assert done.returncode == 0, done.stderr
        return done, json.loads(done.stdout)
    return done, None


def headers(local_hub, repo_id):
    """{file: (header length, tensors, {dtype: parameters}, data bytes)} read here from the files the hub serves."""
    result = {}
    for path in sorted(local_hub.source_dir(repo_id).glob("*.safetensors")):
        if path.name.startswith("."):
            continue
        with open(path, "rb") as f:
            (length,) = struct.unpack("<Q", f.read(8))
            header = json.loads(f.read(length))
        tensors = {k: v for k, v in header.items() if k != "__metadata__"}
        counts: dict[str, int] = {}
        for tensor in tensors.values():
            counts[tensor["dtype"]] = counts.get(tensor["dtype"], 0) + math.prod(tensor["shape"])
        result[path.name] = (length, len(tensors), counts,
                             sum(t["data_offsets"][1] - t["data_offsets"][0] for t in tensors.values()))
    return result


PYTHON_METADATA = """
from huggingface_hub import HfApi
api = HfApi()
meta = api.get_safetensors_metadata({repo!r})
model = api.model_info({repo!r}, files_metadata=True)
print(json.dumps({{"counts": meta.parameter_count, "files": sorted(meta.files_metadata),
                   "tensors": sum(len(f.tensors) for f in meta.files_metadata.values()),
                   "bytes": sum(t.data_offsets[1] - t.data_offsets[0] for f in meta.files_metadata.values()
                                for t in f.tensors.values()),
                   "hub_total": model.safetensors.total, "sha": model.sha, "license": model.card_data.license,
                   "sizes": {{s.rfilename: s.size for s in model.siblings}}}}))
"""


@pytest.mark.parametrize("repo_id", [SINGLE, SHARDED])
def test_parameters_equal_get_safetensors_metadata(local_hub, hf_env, hf_run, repo_id):
    python = hf_run(PYTHON_METADATA.format(repo=repo_id))
    _, report = info(hf_env, repo_id)
    parameters = report["parameters"]
    assert parameters["by_dtype"] == python["counts"] and len(python["counts"]) >= 3
    assert parameters["total"] == sum(python["counts"].values()) == python["hub_total"]
    assert parameters["tensors"] == python["tensors"] and parameters["bytes"] == python["bytes"]
    assert parameters["files"] == python["files"] and parameters["sharded"] == (len(python["files"]) > 1)
    assert report["commit"] == python["sha"] and report["license"] == python["license"]
    assert {f["path"]: f["size"] for f in report["files"]} == python["sizes"]
    assert report["size"]["total"] == sum(python["sizes"].values())
    weights = sum(size for name, size in python["sizes"].items() if name.endswith(".safetensors"))
    assert report["size"]["weights"] == weights
    assert report["size"]["tokenizer"] == sum(size for name, size in python["sizes"].items() if "token" in name)


METADATA_ROUTE = f"/api/models/{SHARDED}/safetensors-metadata/model.safetensors.index.json"


def test_at_main_every_header_comes_in_one_request_and_no_weight_file_is_touched(local_hub, hf_env):
    expected = headers(local_hub, SHARDED)
    local_hub.clear_log()
    _, report = info(hf_env, SHARDED)
    log = local_hub.log()
    assert [e["status"] for e in log if e["path"] == METADATA_ROUTE] == [200], log
    touched = [e for e in log if e["path"] != METADATA_ROUTE and (e["path"].endswith((".safetensors", ".index.json"))
                                                                 or e["range"])]
    assert touched == [], log
    parameters = report["parameters"]
    assert parameters["source"] == "safetensors-metadata" and parameters["from_cache"] is False
    assert parameters["total"] == sum(sum(counts.values()) for _, _, counts, _ in expected.values())
    assert parameters["tensors"] == sum(tensors for _, tensors, _, _ in expected.values())
    assert parameters["header_bytes_fetched"] == sum(e["bytes"] for e in log if e["path"] == METADATA_ROUTE)

    local_hub.clear_log()
    _, again = info(hf_env, SHARDED)
    assert [e for e in local_hub.log() if e["path"] == METADATA_ROUTE or e["range"]] == []
    assert again["parameters"]["source"] == "cache" and again["parameters"]["by_dtype"] == parameters["by_dtype"]


def assert_headers_read_by_range(log, expected, report):
    """Only Range requests reached the weights: 8 bytes, then exactly the header, per shard."""
    ranged = [e for e in log if e["range"]]
    assert {e["status"] for e in ranged} <= {206, 302}, ranged
    served = [e for e in ranged if e["status"] == 206]
    assert len(served) == 2 * len(expected), served  # 8 bytes, then the header, per shard
    longest_header = max(length for length, *_ in expected.values())
    assert all(e["bytes"] <= longest_header for e in served), served
    assert sum(e["bytes"] for e in served) == sum(8 + length for length, *_ in expected.values())
    assert report["parameters"]["header_bytes_fetched"] >= sum(8 + length for length, *_ in expected.values())
    assert report["parameters"]["source"] == "range"
    unranged = [e for e in log if not e["range"] and e["path"].endswith(".safetensors")]
    assert unranged == [], "a weight file was requested without a Range header"
    assert not any(e["server"] != "api" and not e["range"] for e in log), log


def test_at_a_commit_the_weights_are_never_fetched_and_a_second_run_reads_no_header(local_hub, hf_env, tmp_path):
    expected = headers(local_hub, SHARDED)
    _, at_main = info(dict(hf_env, HF_HOME=str(tmp_path / "another-home")), SHARDED)  # its info cache is not this one
    local_hub.clear_log()
    _, report = info(hf_env, SHARDED, "--revision", at_main["commit"])
    log = local_hub.log()
    assert not any(e["path"] == METADATA_ROUTE for e in log), "the one-request route serves main only"
    assert_headers_read_by_range(log, expected, report)
    assert report["parameters"]["by_dtype"] == at_main["parameters"]["by_dtype"]

    local_hub.clear_log()
    _, again = info(hf_env, SHARDED, "--revision", at_main["commit"])
    assert [e for e in local_hub.log() if e["range"]] == []
    assert again["parameters"]["from_cache"] is True and again["parameters"]["by_dtype"] == report["parameters"]["by_dtype"]


@pytest.mark.parametrize("fault", [{"status": 404}, {"status": 500}, {"drop_after": 10}])
def test_a_hub_without_the_one_request_route_is_read_by_range(local_hub, hf_env, fault):
    """A mirror may not serve `safetensors-metadata`, or it may fail: the headers are then read by Range requests."""
    expected = headers(local_hub, SHARDED)
    local_hub.clear_log()
    with local_hub.faults(dict(fault, path=METADATA_ROUTE, count=None)):
        _, report = info(hf_env, SHARDED)
    log = local_hub.log()
    assert any(e["path"] == METADATA_ROUTE for e in log), log
    assert_headers_read_by_range([e for e in log if e["path"] != METADATA_ROUTE], expected, report)
    assert report["parameters"]["total"] == sum(sum(counts.values()) for _, _, counts, _ in expected.values())


def test_partial_cache_and_blobs_of_another_revision(local_hub, hf_env, hf_run):
    hf_run(f"""
from huggingface_hub import hf_hub_download
hf_hub_download({SHARDED!r}, "model-00002-of-00003.safetensors")
hf_hub_download("demo/tiny-model", "tokenizer.json", revision="v1.0")
print(json.dumps({{}}))
""")
    _, report = info(hf_env, SHARDED)
    files = {f["path"]: f for f in report["files"]}
    assert files["model-00002-of-00003.safetensors"]["cached"] == "yes"
    shard = files["model-00002-of-00003.safetensors"]["size"]
    assert report["size"]["cached"] == shard and report["size"]["to_download"] == report["size"]["total"] - shard
    assert sum(f["cached"] == "yes" for f in report["files"]) == 1

    _, tiny = info(hf_env, "demo/tiny-model")  # main's tokenizer.json has the same bytes as v1.0's
    files = {f["path"]: f for f in tiny["files"]}
    assert files["tokenizer.json"]["cached"] == "in another revision", files
    assert tiny["size"]["reusable"] == files["tokenizer.json"]["size"]
    assert tiny["size"]["to_download"] == tiny["size"]["total"] - files["tokenizer.json"]["size"]


def test_a_download_that_does_not_fit_is_flagged(local_hub, hf_env, tmp_path):
    small = tmp_path / "small-disk"
    small.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(small)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a 1 MiB tmpfs here ({done.stderr.strip()}); the fit logic is unit-tested in Swift")
    try:
        env = dict(hf_env, HF_HUB_CACHE=str(small / "hub"))
        _, report = info(env, SHARDED)
        assert report["size"]["free"] <= 1024 * 1024 < report["size"]["to_download"]
        assert report["size"]["fits"] is False
        text = subprocess.run([hubkernel_bin(), "info", SHARDED], env=env, capture_output=True, text=True, timeout=60)
        assert text.returncode == 0 and "NOT ENOUGH" in text.stdout and "Warning: a download needs" in text.stderr
        _, fits = info(hf_env, SINGLE)
        assert fits["size"]["fits"] is True
    finally:
        subprocess.run(["umount", str(small)], check=True)


@pytest.mark.parametrize("role, access", [("read", "granted"), ("pending", "pending"), ("unapproved", "not requested"),
                                          (None, "not logged in")])
def test_gated_access_matches_auth_check(local_hub, hf_env, hf_run, role, access):
    token = local_hub.tokens[role] if role else None
    python = hf_run(f"""
from huggingface_hub import auth_check
auth_check({GATED!r})
print(json.dumps({{"granted": True}}))
""", token=token)
    env = dict(hf_env, **({"HF_TOKEN": token} if token else {}))
    local_hub.clear_log()
    _, report = info(env, GATED)
    assert report["access"] == access and report["gated"] == "manual"
    assert (python.get("granted") is True) == (access == "granted")
    assert report["access_url"] == f"{local_hub.endpoint}/{GATED}"
    if access == "granted":  # its weights are counted, as get_safetensors_metadata counts them with access
        counted = hf_run(f"""
from huggingface_hub import get_safetensors_metadata
print(json.dumps(get_safetensors_metadata({GATED!r}).parameter_count))
""", token=token)
        assert report["parameters"]["by_dtype"] == counted and report.get("parameters_note") is None, report
    else:
        assert report["parameters"] is None and "without access" in report["parameters_note"]
        assert [e for e in local_hub.log() if e["range"]] == []
    text = subprocess.run([hubkernel_bin(), "info", GATED], env=env, capture_output=True, text=True, timeout=60).stdout
    assert f"your access" in text and access in text
    for secret in local_hub.tokens.values():
        assert secret not in text


def test_offline_answers_from_the_cache_and_says_so(local_hub, hf_env):
    _, online = info(hf_env, SINGLE)
    offline_env = dict(hf_env, HF_HUB_OFFLINE="1")
    local_hub.clear_log()
    done, offline = info(offline_env, SINGLE)
    assert local_hub.log() == []
    assert offline["offline"] is True and "Offline mode" in done.stderr
    assert offline["parameters"]["by_dtype"] == online["parameters"]["by_dtype"] and offline["commit"] == online["commit"]
    assert offline["size"] == {**online["size"], "free": offline["size"]["free"]}

    with local_hub.faults({"path": f"/api/models/{SINGLE}/*", "target": "api", "status": 503, "retry_after": 0}):
        done, outage = info(hf_env, SINGLE)
    assert outage["offline"] is True and "could not be asked" in done.stderr
    assert outage["parameters"]["by_dtype"] == online["parameters"]["by_dtype"]

    done, _ = info(offline_env, SHARDED, expect_ok=False)
    assert done.returncode != 0 and "LocalEntryNotFoundError" in done.stderr and "HF_HUB_OFFLINE" in done.stderr


def test_errors_say_what_to_do(local_hub, hf_env):
    done, _ = info(hf_env, "demo/tiny-dataset", expect_ok=False)
    assert done.returncode != 0 and "--repo-type dataset" in done.stderr
    done, dataset = info(hf_env, "demo/tiny-dataset", "--repo-type", "dataset")
    assert dataset["repo_type"] == "dataset" and dataset["parameters"] is None
    done, _ = info(hf_env, "demo/no-such-model", expect_ok=False)
    assert "RepositoryNotFoundError" in done.stderr
    done, _ = info(hf_env, SINGLE, "--revision", "no-such-branch", expect_ok=False)
    assert "RevisionNotFoundError" in done.stderr


def test_info_in_the_kernel_card_json_and_completion(local_hub, hf_env, start_hubkernel, hf_run):
    _, kc = start_hubkernel(env=hf_env)
    reply, iopub = run_cell(kc, f"%info {SHARDED} --files", timeout=120)
    assert reply["content"]["status"] == "ok", reply["content"]
    result = next(m["content"]["data"] for m in iopub if m["msg_type"] == "execute_result")
    data = result["application/vnd.hubkernel+json"]
    python = hf_run(PYTHON_METADATA.format(repo=SHARDED))
    assert data["parameters"]["by_dtype"] == python["counts"]
    assert "<table" in result["text/html"] and "model-00003-of-00003.safetensors" in result["text/html"]
    assert "parameters" in result["text/plain"] and "1,837,312" in result["text/plain"]

    reply, iopub = run_cell(kc, f"%info {SINGLE} --json", timeout=120)
    result = next(m["content"]["data"] for m in iopub if m["msg_type"] == "execute_result")
    assert result["application/json"]["parameters"]["total"] == sum(headers(local_hub, SINGLE)["model.safetensors"][2].values())

    line = "%info demo/sha"
    reply = kc.complete(line, len(line), reply=True, timeout=30)["content"]
    assert SHARDED in reply["matches"] and SINGLE not in reply["matches"], reply  # both are cached; one matches


def test_info_leaves_the_cache_as_python_saw_it(local_hub, hf_env, hf_run):
    """`%info` on repos never downloaded must not make Python's scan (or `hf cache ls`, or `%cache ls`) list them."""
    scan = """
from huggingface_hub import scan_cache_dir
info = scan_cache_dir()
print(json.dumps({"warnings": [str(w) for w in info.warnings],
                  "repos": sorted([r.repo_id, r.size_on_disk, len(r.revisions)] for r in info.repos)}))
"""
    downloaded = hf_run(f"from huggingface_hub import hf_hub_download; hf_hub_download({SHARDED!r}, 'config.json'); print('{{}}')")
    assert downloaded == {}
    before = hf_run(scan)
    assert [r[0] for r in before["repos"]] == [SHARDED]
    info(hf_env, SINGLE)
    info(hf_env, "demo/tiny-model")
    info(hf_env, SHARDED)  # beside a repo that is there: that one is still there, unchanged
    assert hf_run(scan) == before
    done = subprocess.run([hubkernel_bin(), "cache", "ls", "--json"], env=hf_env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "inconsistenc" not in done.stderr, done.stderr
    assert [row["repo_id"] for row in json.loads(done.stdout)] == [SHARDED]
    hf = subprocess.run([str(pathlib.Path(sys.executable).parent / "hf"), "cache", "ls"], env=hf_env, capture_output=True,
                        text=True, timeout=60)
    assert hf.returncode == 0 and SINGLE not in hf.stdout and "tiny-model" not in hf.stdout, hf.stdout
    assert "warning" not in (hf.stdout + hf.stderr).lower(), hf.stdout + hf.stderr
