"""Users and access tokens (from a JSON file written at run time) and the `whoami-v2` answer.

State file::

    {"users": {"alice": {"fullname": "Alice", "email": "alice@example.com",
                         "orgs": [{"name": "acme", "fullname": "Acme"}]}},
     "tokens": {"<token>": {"user": "alice", "displayName": "laptop", "role": "read"}}}

`role` is "read", "write" or "fineGrained" (a fine-grained token may say `"canReadGatedRepos": false`).
Other top-level keys are ignored (samples.py adds `"roles": {role name: token}` for tools outside pytest).
"""
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

ROLES = ("read", "write", "fineGrained")


@dataclass(frozen=True)
class User:
    name: str
    fullname: str
    email: str
    orgs: tuple[tuple[str, str], ...]  # (name, fullname)

    def belongs_to(self, namespace: str) -> bool:
        return namespace == self.name or any(org == namespace for org, _ in self.orgs)


@dataclass(frozen=True)
class Token:
    user: User
    display_name: str
    role: str
    can_read_gated: bool = True
    oauth_expires_at: float | None = None  # set for OAuth / OIDC-exchanged tokens (localhub/oauth.py)


def _object_id(seed: str) -> str:
    return hashlib.sha1(seed.encode()).hexdigest()[:24]


class Accounts:
    """Token lookup. Reloads the state file when it changes, so tests may add tokens while the hub runs."""

    def __init__(self, state_file: Path | None):
        self.state_file = Path(state_file) if state_file else None
        self._mtime = None
        self._tokens: dict[str, Token] = {}
        self._users: dict[str, User] = {}
        self._reload()

    def _reload(self) -> None:
        if self.state_file is None or not self.state_file.exists():
            return
        stat = self.state_file.stat()
        mtime = (stat.st_mtime_ns, stat.st_size, stat.st_ino)  # mtime alone may not tick between two quick writes
        if mtime == self._mtime:
            return
        data = json.loads(self.state_file.read_text())
        users = {
            name: User(name=name, fullname=info.get("fullname", name), email=info.get("email", f"{name}@example.com"),
                       orgs=tuple((o["name"], o.get("fullname", o["name"])) for o in info.get("orgs", ())))
            for name, info in data.get("users", {}).items()
        }
        tokens = {}
        for secret, info in data.get("tokens", {}).items():
            if info.get("role", "read") not in ROLES:
                raise ValueError(f"token role must be one of {ROLES}")
            tokens[secret] = Token(user=users[info["user"]], display_name=info.get("displayName", "token"),
                                   role=info.get("role", "read"), can_read_gated=info.get("canReadGatedRepos", True))
        self._tokens, self._users, self._mtime = tokens, users, mtime

    def lookup(self, secret: str) -> Token | None:
        self._reload()
        return self._tokens.get(secret)

    def user(self, name: str) -> User | None:
        self._reload()
        return self._users.get(name)

    def user_names(self) -> list[str]:
        self._reload()
        return list(self._users)


def whoami_payload(token: Token, endpoint: str) -> dict:
    """The body of `GET /api/whoami-v2`, shaped like huggingface.co's."""
    user = token.user
    access_token = {"displayName": token.display_name, "role": token.role, "createdAt": "2024-01-01T00:00:00.000Z"}
    if token.role == "fineGrained":
        access_token["fineGrained"] = {
            "canReadGatedRepos": token.can_read_gated,
            "global": ["discussion.write", "post.write"],
            "scoped": [{"entity": {"_id": _object_id(user.name), "type": "user", "name": user.name},
                        "permissions": ["repo.content.read", "repo.write"]}],
        }
    return {
        "type": "user",
        "id": _object_id(user.name),
        "name": user.name,
        "fullname": user.fullname,
        "email": user.email,
        "emailVerified": True,
        "canPay": False,
        "periodEnd": None,
        "isPro": False,
        "avatarUrl": f"{endpoint}/avatars/{user.name}.svg",
        "orgs": [
            {"type": "org", "id": _object_id(name), "name": name, "fullname": fullname, "email": None,
             "canPay": False, "periodEnd": None, "avatarUrl": f"{endpoint}/avatars/{name}.svg",
             "roleInOrg": "contributor", "isEnterprise": False}
            for name, fullname in user.orgs
        ],
        "auth": _auth_payload(token, access_token),
    }


def _auth_payload(token: Token, access_token: dict) -> dict:
    """`auth`: an access token's details, or for an OAuth token (no display name, no role) its expiry."""
    if token.oauth_expires_at is None:
        return {"type": "access_token", "accessToken": access_token}
    expires = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(token.oauth_expires_at))
    return {"type": "oauth", "expiresAt": expires}
