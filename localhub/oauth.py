"""The Hub's OAuth side: device authorization (RFC 8628), refresh with rotation, OIDC token exchange (RFC 8693), and
the verification page a user opens in the browser.

    POST /oauth/device            client_id -> device_code, user_code, verification_uri(_complete), interval, expires_in
    POST /oauth/token             device_code grant | refresh_token grant (form) | token exchange (JSON)
    GET  /device?user_code=…      the page: the code, "Signed in as alice", Authorize / Deny buttons
    POST /device                  user_code=…&action=authorize|deny (what the buttons send; `user` picks the account)

Access tokens are `hf_oauth_` + 34 letters/digits, refresh tokens `hf_oauth_rt_` + 34, made at run time. They live in
memory only. `/_admin/oauth` (POST) changes the settings below and (GET) returns them with counters; tests use it to
shorten lifetimes, force `slow_down`, revoke refresh tokens, trust an OIDC subject or hide the device endpoint.
"""
import base64
import html
import json
import secrets
import string
import threading
import time
from dataclasses import dataclass, field

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
REFRESH_GRANT = "refresh_token"
EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"
ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"
ACCESS_PREFIX, REFRESH_PREFIX = "hf_oauth_", "hf_oauth_rt_"
VERIFY_PATH = "/device"

_ALNUM = string.ascii_letters + string.digits
_USER_CODE_LETTERS = "BCDFGHJKLMNPQRSTVWXZ"  # no vowels: codes never spell words (as RFC 8628 §6.1 suggests)

DEFAULTS = {
    "access_token_lifetime": 30 * 24 * 3600,  # seconds an access token is valid
    "refresh_token_lifetime": 90 * 24 * 3600,
    "exchange_token_lifetime": 3600,  # OIDC-exchanged tokens
    "device_code_lifetime": 900,
    "interval": 5,  # polling interval the device endpoint announces
    "rotate_refresh_tokens": True,  # a refresh returns a new refresh token and retires the old one
    "return_refresh_token": True,  # False: device tokens come without refresh token (expire for good)
    "slow_down_polls": 0,  # the next N device-code polls answer slow_down
    "device_endpoint": True,  # False: /oauth/device answers 404 (a Hub without browser login)
    "browser_user": None,  # the account "signed in" on the verification page (default: the first user)
    "oidc_subjects": {},  # id token `sub` claim -> user it may act as
    "refresh_delay": 0.0,  # seconds a refresh answer is held back (to make concurrent refreshes overlap)
}


class OAuthError(Exception):
    """An RFC 6749 error answer: HTTP status and `{"error": code, "error_description": …}`."""

    def __init__(self, status: int, code: str, description: str):
        super().__init__(description)
        self.status, self.code, self.description = status, code, description

    def payload(self) -> dict:
        return {"error": self.code, "error_description": self.description}


def random_token(prefix: str) -> str:
    return prefix + "".join(secrets.choice(_ALNUM) for _ in range(34))


@dataclass
class DeviceCode:
    device_code: str
    user_code: str
    client_id: str
    expires_at: float
    state: str = "pending"  # pending, approved, denied, issued
    user: str | None = None


@dataclass
class IssuedToken:
    user: str
    expires_at: float
    kind: str = "oauth"  # "oauth" (device / refresh) or "oidc" (token exchange)
    resource: str | None = None


@dataclass
class OAuthState:
    settings: dict = field(default_factory=lambda: json.loads(json.dumps(DEFAULTS)))
    devices: dict[str, DeviceCode] = field(default_factory=dict)  # by device_code
    access: dict[str, IssuedToken] = field(default_factory=dict)
    refresh: dict[str, IssuedToken] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=lambda: {"device_codes": 0, "device_polls": 0, "issued": 0,
                                                               "refreshes": 0, "exchanges": 0})
    lock: threading.Lock = field(default_factory=threading.Lock)

    # -- admin ---------------------------------------------------------------------------------------------------
    def configure(self, changes: dict) -> dict:
        unknown = set(changes) - set(DEFAULTS) - {"reset", "revoke_refresh_tokens", "expire_access_tokens"}
        if unknown:
            raise ValueError(f"unknown OAuth setting(s) {sorted(unknown)}; known: {sorted(DEFAULTS)}")
        with self.lock:
            if changes.get("reset"):
                self.settings = json.loads(json.dumps(DEFAULTS))
                self.devices.clear()
                self.counters = dict.fromkeys(self.counters, 0)
            if changes.get("revoke_refresh_tokens"):
                self.refresh.clear()
            if changes.get("expire_access_tokens"):
                for token in self.access.values():
                    token.expires_at = min(token.expires_at, time.time() - 1)
            self.settings.update({k: v for k, v in changes.items() if k in DEFAULTS})
            return self.describe()

    def describe(self) -> dict:
        pending = [{"user_code": d.user_code, "state": d.state} for d in self.devices.values()]
        return {"settings": self.settings, "counters": dict(self.counters), "device_codes": pending}

    # -- lookups -------------------------------------------------------------------------------------------------
    def lookup_access(self, secret: str) -> IssuedToken | None:
        """The OAuth/OIDC token `secret`, `None` if unknown; an expired one is returned too (the caller rejects it)."""
        with self.lock:
            return self.access.get(secret)

    def default_user(self, users: list[str]) -> str | None:
        return self.settings.get("browser_user") or (users[0] if users else None)

    def device_for_user_code(self, user_code: str) -> DeviceCode | None:
        wanted = user_code.strip().upper()
        with self.lock:
            return next((d for d in self.devices.values() if d.user_code == wanted), None)

    # -- grants --------------------------------------------------------------------------------------------------
    def new_device_code(self, client_id: str) -> DeviceCode:
        with self.lock:
            code = "".join(secrets.choice(_USER_CODE_LETTERS) for _ in range(8))
            device = DeviceCode(device_code=secrets.token_hex(20), user_code=f"{code[:4]}-{code[4:]}",
                                client_id=client_id, expires_at=time.time() + self.settings["device_code_lifetime"])
            self.devices[device.device_code] = device
            self.counters["device_codes"] += 1
            return device

    def decide(self, device: DeviceCode, approve: bool, user: str) -> None:
        with self.lock:
            if device.state != "pending" or time.time() >= device.expires_at:
                raise OAuthError(400, "invalid_request", "This code has expired or was already used.")
            device.state, device.user = ("approved" if approve else "denied"), user

    def poll(self, device_code: str, client_id: str) -> dict:
        with self.lock:
            self.counters["device_polls"] += 1
            device = self.devices.get(device_code)
            if device is None or device.client_id != client_id:
                raise OAuthError(400, "invalid_grant", "Unknown device code.")
            if self.settings["slow_down_polls"] > 0:
                self.settings["slow_down_polls"] -= 1
                raise OAuthError(400, "slow_down", "Polling too fast; add 5 seconds to the interval.")
            if device.state == "issued":
                raise OAuthError(400, "invalid_grant", "This device code was already exchanged.")
            if device.state == "denied":
                raise OAuthError(400, "access_denied", "The user denied the authorization request.")
            if time.time() >= device.expires_at:
                raise OAuthError(400, "expired_token", "The device code has expired.")
            if device.state == "pending":
                raise OAuthError(400, "authorization_pending", "The user has not authorized the device yet.")
            device.state = "issued"
            self.counters["issued"] += 1
            return self._issue(device.user, with_refresh=self.settings["return_refresh_token"])

    def refresh_grant(self, refresh_token: str) -> dict:
        delay = self.settings["refresh_delay"]
        if delay:
            time.sleep(delay)
        with self.lock:
            issued = self.refresh.get(refresh_token)
            if issued is None or time.time() >= issued.expires_at:
                raise OAuthError(400, "invalid_grant", "The refresh token is invalid, expired or revoked.")
            self.counters["refreshes"] += 1
            rotate = self.settings["rotate_refresh_tokens"]
            if rotate:
                del self.refresh[refresh_token]
            answer = self._issue(issued.user, with_refresh=rotate)
            return answer

    def exchange(self, subject_token: str, resource: str, endpoint: str, known_users: set[str]) -> dict:
        claims = _jwt_claims(subject_token)
        if claims is None:
            raise OAuthError(400, "invalid_request", "subject_token is not a JWT id token.")
        if claims.get("aud") != endpoint:
            raise OAuthError(400, "invalid_grant", f"The id token's audience must be {endpoint}, not {claims.get('aud')!r}.")
        if float(claims.get("exp", 0)) <= time.time():
            raise OAuthError(400, "invalid_grant", "The id token has expired.")
        with self.lock:
            user = self.settings["oidc_subjects"].get(claims.get("sub", ""))
            if user is None or user not in known_users:
                raise OAuthError(400, "invalid_grant",
                                 f"No trusted publisher matches subject {claims.get('sub')!r} for this resource.")
            owner = resource.split("/")[-2] if "/" in resource else resource
            if owner != user:
                raise OAuthError(400, "invalid_target", f"The trusted publisher may not act on {resource!r}.")
            self.counters["exchanges"] += 1
            lifetime = self.settings["exchange_token_lifetime"]
            token = random_token(ACCESS_PREFIX)
            self.access[token] = IssuedToken(user=user, expires_at=time.time() + lifetime, kind="oidc",
                                             resource=resource)
            return {"access_token": token, "token_type": "bearer", "expires_in": lifetime,
                    "issued_token_type": "urn:ietf:params:oauth:token-type:access_token"}

    def _issue(self, user: str, with_refresh: bool) -> dict:
        now = time.time()
        lifetime = self.settings["access_token_lifetime"]
        access = random_token(ACCESS_PREFIX)
        self.access[access] = IssuedToken(user=user, expires_at=now + lifetime)
        answer = {"access_token": access, "token_type": "bearer", "expires_in": lifetime}
        if with_refresh:
            refresh = random_token(REFRESH_PREFIX)
            self.refresh[refresh] = IssuedToken(user=user, expires_at=now + self.settings["refresh_token_lifetime"])
            answer["refresh_token"] = refresh
        return answer


def _jwt_claims(token: str) -> dict | None:
    """The payload of a JWT (the local Hub trusts the configured subjects; it does not check signatures)."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        padded = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(padded))
    except ValueError:
        return None
    return claims if isinstance(claims, dict) else None


def verification_page(device: DeviceCode | None, user: str | None, message: str = "") -> str:
    """What the browser shows at `verification_uri_complete`: the code, the account, Authorize / Deny."""
    esc = html.escape
    buttons = ("<button type='submit' name='action' value='authorize' id='authorize'>Authorize</button> "
               "<button type='submit' name='action' value='deny' id='deny'>Deny</button></form>")
    signed_in = (f"<p>Signed in as <b id='user'>{esc(user or '')}</b></p><form method='post' action='{VERIFY_PATH}'>"
                 f"<input type='hidden' name='user' value='{esc(user or '')}'>")
    if message or (device is not None and device.state != "pending"):
        body = f"<p id='message'>{esc(message or 'This code has expired or was already used.')}</p>"
    elif device is None:
        body = (f"{signed_in}<p><label>Enter the code shown on your device: "
                f"<input name='user_code' id='user-code-input' autocomplete='off'></label></p>{buttons}")
    else:
        body = (
            f"{signed_in}<p>A device asks to access your account with the code:</p>"
            f"<p id='user-code' style='font-size:2em;font-family:monospace;letter-spacing:.2em'>{esc(device.user_code)}</p>"
            f"<input type='hidden' name='user_code' value='{esc(device.user_code)}'>{buttons}"
        )
    return ("<!doctype html><html><head><meta charset='utf-8'><title>Device login · LocalHub</title></head>"
            f"<body><h1>Connect a device</h1>{body}</body></html>")
