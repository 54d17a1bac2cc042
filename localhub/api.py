"""The API server: whoami-v2, repo info / tree / refs, resolve (HEAD and GET), and the `/_admin/` routes."""
import base64
import json
from urllib.parse import parse_qs, quote, urlencode

from . import access, hub_errors, payloads
from .accounts import Token, whoami_payload
from .cas import XET_TOKEN_TTL, XORB_URL_TTL
from .httpbase import BaseHandler
from .hub_errors import HubError
from .oauth_api import OAuthRoutes
from .repos import RepoEntry, Revision
from .urls import URL_PREFIX, parse_api, parse_resolve

_TEXT_SUFFIXES = (".json", ".md", ".txt", ".py", ".yaml", ".yml", ".csv", ".jsonl", ".cfg", ".toml", ".html")


def content_disposition(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    fallback = name.encode("ascii", "replace").decode().replace('"', "_")
    return f"inline; filename*=UTF-8''{quote(name)}; filename=\"{fallback}\";"


def content_type(path: str) -> str:
    """What `/resolve` answers as Content-Type for a regular (non-LFS) file."""
    return "text/plain; charset=utf-8" if path.lower().endswith(_TEXT_SUFFIXES) else "application/octet-stream"


def resolve_headers(revision: Revision, entry: RepoEntry) -> dict:
    """Headers of every `/resolve` answer for a file (before the redirect or content headers)."""
    return {
        "X-Repo-Commit": revision.commit,
        "ETag": f'"{entry.etag}"',
        "Accept-Ranges": "bytes",
        "Content-Disposition": content_disposition(entry.path),
        "Vary": "Origin, Accept-Encoding",
        "Access-Control-Expose-Headers": "X-Repo-Commit,X-Linked-Size,X-Linked-ETag,ETag,Link,Accept-Ranges,"
                                         "Content-Range,X-Error-Code,X-Error-Message,X-Xet-Hash",
    }


def renamed_path(raw_path: str, old_id: str, new_id: str) -> str:
    """The same URL path with the repo's old id replaced by its new one."""
    if raw_path.endswith(f"/{old_id}"):
        return raw_path[: -len(old_id)] + new_id
    return raw_path.replace(f"/{old_id}/", f"/{new_id}/", 1)


class Renamed(Exception):
    """The repo was renamed: answer 307 with a relative Location under its new name."""

    def __init__(self, location: str):
        self.location = location


class APIHandler(OAuthRoutes, BaseHandler):
    log_target = "api"

    @property
    def endpoint(self) -> str:
        return f"http://{self.headers.get('Host') or self.hub.api_address}"

    def token(self) -> Token | None:
        """The caller's token; raises 401 for an Authorization header that names no known token."""
        header = self.headers.get("Authorization")
        if header is None:
            return None
        scheme, _, secret = header.partition(" ")
        token = None
        if scheme.lower() == "bearer":
            token = self.hub.accounts.lookup(secret.strip()) or self.oauth_token(secret.strip())
        if token is None:
            raise hub_errors.invalid_credentials()
        return token

    # -- dispatch ------------------------------------------------------------------------------------------------
    def do_GET(self):
        self._dispatch()

    def do_HEAD(self):
        self._dispatch()

    def do_POST(self):
        self._dispatch()

    def do_DELETE(self):
        self._dispatch()

    def _dispatch(self):
        try:
            path = self.raw_path
            if self.route_oauth(path):
                return
            if path.startswith("/_admin/"):
                return self._admin(path)
            if self.command not in ("GET", "HEAD"):
                self.close_connection = True  # the request body was not read
                raise HubError(405, "Method not allowed")
            if path == "/api/whoami-v2":
                return self._whoami()
            if path.startswith("/api/"):
                return self._repo_api()
            target = parse_resolve(path)
            if target is None:
                raise hub_errors.not_found()
            return self._resolve(target)
        except HubError as error:
            self.send_hub_error(error)
        except Renamed as moved:
            body = f"Temporary Redirect. Redirecting to {moved.location}".encode()
            self.send_bytes(307, {"Location": moved.location, "Content-Type": "text/plain; charset=utf-8"}, body,
                            self.plan_faults(0, len(body)))
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as error:  # never die on a bad request: answer 500 (or drop a half-sent answer), keep serving
            if self.headers_sent:
                self.close_connection = True
                return
            self.send_json(500, {"error": f"LocalHub internal error: {type(error).__name__}: {error}"})

    # -- routes --------------------------------------------------------------------------------------------------
    def _whoami(self):
        token = self.token()
        if token is None:
            raise HubError(401, "Invalid username or password.")
        self.send_json(200, whoami_payload(token, self.endpoint))

    def _lookup(self, repo_type: str, repo_id: str, token: Token | None):
        repo = self.hub.repos.get((repo_type, repo_id))
        if repo is None:
            renamed = next((r for r in self.hub.repos.values() if r.type == repo_type and repo_id in r.aliases), None)
            if renamed is not None and access.is_visible(renamed, token):
                raise Renamed(renamed_path(self.raw_path, repo_id, renamed.id) + (f"?{self.query}" if self.query else ""))
        access.check_repo(repo, token)
        return repo

    def _repo_api(self):
        target = parse_api(self.raw_path)
        if target is None:
            raise hub_errors.not_found()
        token = self.token()
        repo = self._lookup(target.repo_type, target.repo_id, token)
        params = parse_qs(self.query)
        if target.action == "auth-check":
            access.check_files(repo, token, self.endpoint)
            return self.send_json(200, {})
        if target.action == "xet-read-token":
            return self._xet_read_token(repo, token, target.revision)
        if target.action == "refs":
            include_prs = params.get("include_prs", ["0"])[0].lower() in ("1", "true")
            return self.send_json(200, payloads.refs(repo, include_prs))
        revision = repo.resolve_revision(target.revision)
        if revision is None:
            raise hub_errors.revision_not_found(target.revision)
        if target.action == "safetensors-metadata":
            if repo.type != "model":
                raise hub_errors.not_found()
            access.check_files(repo, token, self.endpoint)
            body = payloads.sharded_safetensors_metadata(revision, target.path, self.hub.store)
            return self.send_json(200, body, {"X-Repo-Commit": revision.commit})
        if target.action in ("", "revision"):
            with_blobs = params.get("blobs", ["false"])[0].lower() == "true"
            expand = params.get("expand") or params.get("expand[]")
            return self.send_json(200, payloads.repo_info(repo, revision, with_blobs, self.hub.store, expand))
        recursive = params.get("recursive", ["false"])[0].lower() == "true"
        entries = payloads.tree_entries(revision, target.path, recursive)
        self._send_page(entries, params)

    def _send_page(self, entries: list, params: dict):
        cursor = params.get("cursor", [""])[0]
        try:
            start = int(base64.urlsafe_b64decode(cursor.encode()).decode()) if cursor else 0
        except ValueError:
            raise HubError(400, "Invalid cursor")
        end = start + self.hub.page_size
        headers = {}
        if end < len(entries):
            query = {k: v[0] for k, v in params.items() if k != "cursor"}
            query["cursor"] = base64.urlsafe_b64encode(str(end).encode()).decode()
            headers["Link"] = f'<{self.endpoint}{self.raw_path}?{urlencode(query)}>; rel="next"'
        self.send_json(200, entries[start:end], headers)

    def _resolve(self, target):
        token = self.token()
        repo = self._lookup(target.repo_type, target.repo_id, token)
        access.check_files(repo, token, self.endpoint)
        revision = repo.resolve_revision(target.revision)
        if revision is None:
            raise hub_errors.revision_not_found(target.revision)
        entry = revision.entry(target.path)
        if entry is None:
            raise hub_errors.entry_not_found(revision.commit)
        headers = resolve_headers(revision, entry)
        if entry.is_lfs:
            location = self.hub.cdn_url() + f"/{entry.sha256}?" + urlencode({
                "response-content-disposition": content_disposition(entry.path),
                "x-repo-file": f"{URL_PREFIX[repo.type]}{repo.id}/{entry.path}",
            })
            body = f"Found. Redirecting to {location}".encode()
            headers.update({"Location": location, "X-Linked-Etag": f'"{entry.sha256}"', "X-Linked-Size": entry.size,
                            "Content-Type": "text/plain; charset=utf-8"})
            if entry.xet_hash:
                # As the Hub answers for Xet files: the redirect still goes to the bridge (whole file, ranges) for
                # clients without Xet; Xet clients take the hash and the two links instead.
                token_url = (f"{self.endpoint}/api/{repo.type}s/{repo.id}/xet-read-token/{revision.commit}")
                headers["X-Xet-Hash"] = entry.xet_hash
                headers["Link"] = (f'<{self.hub.cas_url()}/v1/reconstructions/{entry.xet_hash}>; rel="xet-reconstruction-info",'
                                   f' <{token_url}>; rel="xet-auth"')
            return self.send_bytes(302, headers, body, self.plan_faults(0, len(body)))
        headers["Content-Type"] = content_type(entry.path)
        self.send_file(self.hub.store.path_for(entry.sha256), entry.size, headers)

    def _xet_read_token(self, repo, token: Token | None, revision_name: str):
        """`GET /api/{type}s/{repo}/xet-read-token/{rev}`: a short-lived token for the CAS server, for callers who may
        download the repo's files (gated and private repos as `/resolve`)."""
        access.check_files(repo, token, self.endpoint)
        if repo.resolve_revision(revision_name) is None:
            raise hub_errors.revision_not_found(revision_name)
        if not repo.xet:
            raise HubError(400, "This repository is not Xet-enabled")
        access_token, expires = self.hub.xet_auth.mint((repo.type, repo.id))
        self.send_json(200, {"accessToken": access_token, "exp": expires, "casUrl": self.hub.cas_url()},
                       {"X-Xet-Access-Token": access_token, "X-Xet-Token-Expiration": str(expires),
                        "X-Xet-Cas-Url": self.hub.cas_url()})

    # -- admin ---------------------------------------------------------------------------------------------------
    def _admin(self, path: str):
        if path == "/_admin/faults" and self.command == "POST":
            try:
                added = self.hub.faults.add(json.loads(self.read_body() or b"{}"))
            except (ValueError, TypeError) as error:
                raise HubError(400, f"Bad fault rule: {error}")
            return self.send_json(200, {"added": added})
        if path == "/_admin/faults" and self.command == "DELETE":
            self.hub.faults.clear()
            return self.send_json(200, {"cleared": True})
        if path == "/_admin/faults" and self.command == "GET":
            return self.send_json(200, self.hub.faults.rules())
        if path == "/_admin/log" and self.command == "GET":
            return self.send_json(200, self.hub.log.entries())
        if path == "/_admin/log" and self.command == "DELETE":
            self.hub.log.clear()
            return self.send_json(200, {"cleared": True})
        if path == "/_admin/xet" and self.command == "POST":
            settings = json.loads(self.read_body() or b"{}")
            auth = self.hub.xet_auth
            if settings.get("reset"):
                auth.token_ttl, auth.url_ttl = XET_TOKEN_TTL, XORB_URL_TTL
            auth.token_ttl = int(settings.get("token_ttl", auth.token_ttl))
            auth.url_ttl = int(settings.get("url_ttl", auth.url_ttl))
            return self.send_json(200, {"token_ttl": auth.token_ttl, "url_ttl": auth.url_ttl})
        if path == "/_admin/reload" and self.command == "POST":
            self.read_body()
            self.hub.reload()
            return self.send_json(200, self.hub.describe())
        if path == "/_admin/info" and self.command == "GET":
            return self.send_json(200, self.hub.describe())
        raise hub_errors.not_found("Unknown admin route: use /_admin/faults, /_admin/log, /_admin/reload, /_admin/info, "
                                             "/_admin/xet or /_admin/oauth")
