"""The local Hub's model info, auth-check and safetensors headers, proven with huggingface_hub 2.4.0: `model_info`,
`auth_check`, `get_safetensors_metadata` and `get_sharded_safetensors_metadata` read the same numbers as a count made
here from the source files."""
from __future__ import annotations

import json
import math
import struct

import pytest

SINGLE, SHARDED, GATED = "demo/safetensors-model", "demo/sharded-model", "demo/gated-model"


def source_counts(local_hub, repo_id: str) -> dict[str, int]:
    """Parameters by dtype, counted from the safetensors files the hub serves (read here, not by localhub)."""
    counts: dict[str, int] = {}
    for path in sorted(p for p in local_hub.source_dir(repo_id).glob("*.safetensors") if not p.name.startswith(".")):
        with open(path, "rb") as f:
            (length,) = struct.unpack("<Q", f.read(8))
            header = json.loads(f.read(length))
        for name, tensor in header.items():
            if name != "__metadata__":
                counts[tensor["dtype"]] = counts.get(tensor["dtype"], 0) + math.prod(tensor["shape"])
    return counts


MODEL_INFO = """
from huggingface_hub import HfApi
info = HfApi().model_info({repo!r}, files_metadata=True)
print(json.dumps({{"sha": info.sha, "license": info.card_data.license, "card_tags": info.card_data.tags,
                  "library": info.library_name, "pipeline": info.pipeline_tag, "tags": info.tags,
                  "downloads": info.downloads, "likes": info.likes, "gated": info.gated,
                  "last_modified": info.last_modified.isoformat(),
                  "parameters": info.safetensors.parameters, "total": info.safetensors.total,
                  "siblings": {{s.rfilename: [s.size, s.lfs is not None] for s in info.siblings}}}}))
"""


@pytest.mark.parametrize("repo_id", [SINGLE, SHARDED])
def test_model_info_fields_as_python_reads_them(local_hub, hf_run, repo_id):
    info = hf_run(MODEL_INFO.format(repo=repo_id))
    counts = source_counts(local_hub, repo_id)
    assert len(counts) >= 3, "the samples mix several dtypes"
    assert info["parameters"] == counts and info["total"] == sum(counts.values())
    assert info["sha"] == local_hub.commit(repo_id)
    assert info["license"] in ("apache-2.0", "mit") and "hubkernel-sample" in info["card_tags"]
    assert info["library"] == "transformers" and info["pipeline"] == "text-generation"
    assert f"license:{info['license']}" in info["tags"] and "safetensors" in info["tags"]
    assert info["downloads"] > 0 and info["likes"] > 0 and info["gated"] is False
    source = local_hub.source_dir(repo_id)
    expected = {p.name: [p.stat().st_size, p.stat().st_size > 1024 * 1024] for p in source.iterdir()
                if p.is_file() and not p.name.startswith(".localhub-seed-")}
    assert info["siblings"] == expected


def test_expand_returns_only_the_asked_properties(local_hub, hf_run):
    info = hf_run(f"""
from huggingface_hub import HfApi
info = HfApi().model_info({SHARDED!r}, expand=["safetensors", "cardData"])
print(json.dumps({{"total": info.safetensors.total, "license": info.card_data.license, "sha": info.sha,
                   "siblings": info.siblings}}))
""")
    assert info["total"] == sum(source_counts(local_hub, SHARDED).values())
    assert info["license"] == "mit" and info["sha"] is None and info["siblings"] is None


SAFETENSORS = """
from huggingface_hub import HfApi
meta = HfApi().get_safetensors_metadata({repo!r})
print(json.dumps({{"sharded": meta.sharded, "counts": meta.parameter_count, "files": sorted(meta.files_metadata),
                   "tensors": sum(len(f.tensors) for f in meta.files_metadata.values())}}))
"""


@pytest.mark.parametrize("repo_id, files", [(SINGLE, 1), (SHARDED, 3)])
def test_get_safetensors_metadata_reads_the_headers_by_range(local_hub, hf_run, repo_id, files):
    local_hub.clear_log()
    meta = hf_run(SAFETENSORS.format(repo=repo_id))
    assert meta["counts"] == source_counts(local_hub, repo_id)
    assert meta["sharded"] == (files > 1) and len(meta["files"]) == files
    ranged = [e for e in local_hub.log() if e["range"] and e["path"].startswith("/") and e["status"] == 206]
    assert len(ranged) == files, local_hub.log()
    assert all(e["bytes"] <= 100_001 for e in ranged)


SHARDED_METADATA = """
from huggingface_hub import HfApi
api = HfApi()
one, each = api.get_sharded_safetensors_metadata({repo!r}), api.get_safetensors_metadata({repo!r})
print(json.dumps({{"counts": one.parameter_count, "same": one.files_metadata == each.files_metadata,
                   "same_weight_map": one.weight_map == each.weight_map, "metadata": one.metadata,
                   "index_metadata": each.metadata, "files": sorted(one.files_metadata)}}))
"""


def test_get_sharded_safetensors_metadata_reads_every_header_in_one_request(local_hub, hf_run):
    local_hub.clear_log()
    meta = hf_run(SHARDED_METADATA.format(repo=SHARDED))
    assert meta["counts"] == source_counts(local_hub, SHARDED) and len(meta["files"]) == 3
    assert meta["same"] and meta["same_weight_map"], meta
    assert meta["metadata"] == meta["index_metadata"] and meta["metadata"]["total_size"] > 0
    route = f"/api/models/{SHARDED}/safetensors-metadata/model.safetensors.index.json"
    assert [e["status"] for e in local_hub.log() if e["path"] == route] == [200]


@pytest.mark.parametrize("repo_id, role, code", [(SINGLE, None, "EntryNotFound"), (GATED, None, "GatedRepo"),
                                                 (GATED, "unapproved", "GatedRepo"), (GATED, "pending", "GatedRepo")])
def test_sharded_metadata_errors_as_the_hub_names_them(local_hub, hf_run, repo_id, role, code):
    result = hf_run(f"""
from huggingface_hub import HfApi
HfApi().get_sharded_safetensors_metadata({repo_id!r})
print(json.dumps({{"ok": True}}))
""", token=local_hub.tokens[role] if role else None)
    expected = {"EntryNotFound": "EntryNotFoundError", "GatedRepo": "GatedRepoError"}[code]
    assert expected in result.get("mro", []), result


@pytest.mark.parametrize("role, outcome", [("read", "ok"), ("pending", "awaiting a review"),
                                           ("unapproved", "not in the authorized list"), (None, "Please log in")])
def test_auth_check_tells_granted_pending_not_requested_and_anonymous(local_hub, hf_run, role, outcome):
    result = hf_run(f"""
from huggingface_hub import auth_check
auth_check({GATED!r})
print(json.dumps({{"ok": True}}))
""", token=local_hub.tokens[role] if role else None)
    if outcome == "ok":
        assert result == {"ok": True}
    else:
        assert result["error"] == "GatedRepoError" and outcome in result["message"], result
        assert result["status"] == (401 if role is None else 403)
