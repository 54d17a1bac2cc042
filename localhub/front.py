"""The nginx front (optional, `serve --front`): an endpoint where nginx answers anonymous `/resolve` requests for the
regular (non-LFS) files of public repos straight from the blob store, with the headers the API server sends, and
proxies everything else to the Python API server: API routes, LFS redirects, private/gated/disabled repos, renamed
repos, and every request that carries a token (so tokens are still checked) or a Range header. Benchmarks use it so
that hundreds of small files measure the client, not a Python server. Faults do not apply to what nginx serves."""
import re
from dataclasses import dataclass
from pathlib import Path

from .api import content_type, resolve_headers
from .repos import Repo
from .urls import URL_PREFIX

GENERATION_PATH = "/_front/generation"
# Names nginx's config syntax cannot carry inside a quoted string without variables or escapes: proxied instead.
_UNSAFE = re.compile(r'["\\$;{}\x00-\x1f\x7f]|//|(^|/)\.\.?(/|$)')
# Headers nginx sends itself on the 200s it serves (requests with a Range header go to the API server: nginx's 206 and
# 416 answers differ from the API server's in headers and body).
_NGINX_OWN = {"Accept-Ranges"}


@dataclass(frozen=True)
class FrontConfig:
    """Where the front listens, the API server it proxies to, and the generated locations file it includes."""

    port: int
    api_port: int
    locations: Path


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def front_locations(repos: dict[tuple[str, str], Repo], blobs: Path, generation: int) -> str:
    """nginx `location` blocks: one exact match per regular file of each public repo, at every revision name and
    commit id (as nginx sees the decoded URI), plus the generation marker `reload` waits for."""
    blocks = {GENERATION_PATH: f"location = {GENERATION_PATH} {{ access_log off; return 200 \"{generation}\"; }}"}
    for repo in repos.values():
        if repo.private or repo.gated or repo.disabled:
            continue
        for revision in repo.revisions.values():
            for entry in revision.files.values():
                if entry.is_lfs:
                    continue
                headers = {k: v for k, v in resolve_headers(revision, entry).items() if k not in _NGINX_OWN}
                directives = " ".join(f"add_header {name} {_quoted(str(value))};" for name, value in headers.items())
                for ref in dict.fromkeys((revision.name, revision.commit)):
                    uri = f"/{URL_PREFIX[repo.type]}{repo.id}/resolve/{ref}/{entry.path}"
                    if uri in blocks or _UNSAFE.search(f"{ref}/{entry.path}"):
                        continue
                    blocks[uri] = (f"location = {_quoted(uri)} {{ alias {_quoted(str(blobs / entry.sha256))}; "
                                   f"default_type {_quoted(content_type(entry.path))}; {directives} }}")
    return "\n".join(blocks.values()) + "\n"


def front_server(front: FrontConfig, tmp: Path) -> str:
    """The front's `server` block (inside nginx's `http` block)."""
    proxy = ("access_log off; proxy_pass http://localhub_api; proxy_http_version 1.1; "
             'proxy_set_header Connection ""; proxy_set_header Host $http_host; proxy_buffering off;')
    return f"""
    upstream localhub_api {{ server 127.0.0.1:{front.api_port}; keepalive 32; }}
    server {{
        listen 127.0.0.1:{front.port};
        access_log {tmp}/access.log localhub_front;
        etag off;
        error_page 418 = @api;
        if ($http_authorization) {{ return 418; }}
        if ($http_range) {{ return 418; }}
        include {front.locations};
        location / {{ {proxy} }}
        location @api {{ {proxy} }}
    }}
"""
