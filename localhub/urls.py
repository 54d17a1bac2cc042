"""Parsing of Hub URLs. Repo ids keep their raw `/`; revisions and paths are percent-decoded segment by segment,
so `refs%2Fpr%2F1` is one revision and `a%2Fb` or `a/b` is one path."""
from dataclasses import dataclass
from urllib.parse import unquote

TYPE_BY_PLURAL = {"models": "model", "datasets": "dataset", "spaces": "space"}
URL_PREFIX = {"model": "", "dataset": "datasets/", "space": "spaces/"}


@dataclass(frozen=True)
class RepoURL:
    repo_type: str
    repo_id: str
    action: str  # "resolve", "revision", "tree", "refs", "auth-check", "safetensors-metadata", "xet-read-token" or ""
    # (repo info at main)
    revision: str = "main"
    path: str = ""


def _split_repo(segments: list[str], actions: tuple[str, ...]) -> tuple[str, list[str]] | None:
    """(repo id, rest after the repo id), for `name/...` or `namespace/name/...`."""
    for width in (2, 1):
        if len(segments) > width and segments[width] in actions:
            return "/".join(unquote(s) for s in segments[:width]), segments[width:]
    if 1 <= len(segments) <= 2 and "" not in segments:
        return "/".join(unquote(s) for s in segments), []
    return None


def _tail(rest: list[str]) -> tuple[str, str]:
    revision = unquote(rest[1]) if len(rest) > 1 else "main"
    path = "/".join(unquote(s) for s in rest[2:] if s != "")
    return revision, path


def parse_resolve(raw_path: str) -> RepoURL | None:
    """`/{datasets/|spaces/}{repo}/resolve/{rev}/{path}`."""
    segments = raw_path.strip("/").split("/")
    repo_type = "model"
    if segments and segments[0] in ("datasets", "spaces"):
        repo_type, segments = TYPE_BY_PLURAL[segments[0]], segments[1:]
    split = _split_repo(segments, ("resolve",))
    if split is None or not split[1] or len(split[1]) < 3:
        return None
    revision, path = _tail(split[1])
    return RepoURL(repo_type, split[0], "resolve", revision, path)


def parse_api(raw_path: str) -> RepoURL | None:
    """`/api/{models|datasets|spaces}/{repo}[/revision/{rev} | /tree/{rev}[/{path}] | /refs | /auth-check |
    /safetensors-metadata/{path} | /xet-read-token/{rev}]` (safetensors-metadata always at main)."""
    segments = raw_path.strip("/").split("/")
    if len(segments) < 3 or segments[0] != "api" or segments[1] not in TYPE_BY_PLURAL:
        return None
    split = _split_repo(segments[2:], ("revision", "tree", "refs", "auth-check", "safetensors-metadata",
                                           "xet-read-token"))
    if split is None:
        return None
    repo_id, rest = split
    if not rest:
        return RepoURL(TYPE_BY_PLURAL[segments[1]], repo_id, "")
    if rest[0] == "safetensors-metadata":
        path = "/".join(unquote(s) for s in rest[1:] if s != "")
        return RepoURL(TYPE_BY_PLURAL[segments[1]], repo_id, rest[0], "main", path) if path else None
    if rest[0] not in ("refs", "auth-check") and len(rest) < 2:
        return None
    revision, path = _tail(rest)
    return RepoURL(TYPE_BY_PLURAL[segments[1]], repo_id, rest[0], revision, path)
