"""The OAuth routes of the API server (see oauth.py for the state behind them)."""
import json
import time
from urllib.parse import parse_qs, urlencode

from . import hub_errors
from .accounts import Token
from .hub_errors import HubError
from .oauth import DEVICE_GRANT, EXCHANGE_GRANT, ID_TOKEN_TYPE, REFRESH_GRANT, VERIFY_PATH, OAuthError, verification_page


class OAuthRoutes:
    """Mixed into APIHandler: `/oauth/device`, `/oauth/token`, the verification page, `/_admin/oauth`."""

    def oauth_token(self, secret: str) -> Token | None:
        """An access token the OAuth side issued, as an account token; 401 once it has expired."""
        issued = self.hub.oauth.lookup_access(secret)
        if issued is None:
            return None
        user = self.hub.accounts.user(issued.user)
        if user is None or time.time() >= issued.expires_at:
            raise hub_errors.invalid_credentials()
        return Token(user=user, display_name="", role="write", oauth_expires_at=issued.expires_at)

    def route_oauth(self, path: str) -> bool:
        """Answers the request if `path` is an OAuth route; returns whether it did."""
        if path == "/_admin/oauth":
            if self.command == "POST":
                try:
                    return self.send_json(200, self.hub.oauth.configure(json.loads(self.read_body() or b"{}"))) or True
                except (ValueError, TypeError) as error:
                    raise HubError(400, f"Bad OAuth settings: {error}")
            return self.send_json(200, self.hub.oauth.describe()) or True
        if path == VERIFY_PATH:
            self._verification()
            return True
        if path not in ("/oauth/device", "/oauth/token"):
            return False
        if self.command != "POST":
            self.read_body()
            raise HubError(405, "Method not allowed")
        try:
            form = self._form()
            if path == "/oauth/device":
                self._device(form)
            else:
                self._token(form)
        except OAuthError as error:
            self.send_json(error.status, error.payload())
        return True

    def _form(self) -> dict:
        body = self.read_body()
        if (self.headers.get("Content-Type") or "").startswith("application/json"):
            try:
                data = json.loads(body or b"{}")
            except ValueError:
                raise OAuthError(400, "invalid_request", "The body is not valid JSON.")
            return data if isinstance(data, dict) else {}
        return {key: values[0] for key, values in parse_qs(body.decode("utf-8", "replace")).items()}

    def _device(self, form: dict):
        if not self.hub.oauth.settings["device_endpoint"]:
            raise hub_errors.not_found()
        if not form.get("client_id"):
            raise OAuthError(400, "invalid_client", "client_id is required.")
        device = self.hub.oauth.new_device_code(form["client_id"])
        settings = self.hub.oauth.settings
        self.send_json(200, {
            "device_code": device.device_code, "user_code": device.user_code,
            "verification_uri": f"{self.endpoint}{VERIFY_PATH}",
            "verification_uri_complete": f"{self.endpoint}{VERIFY_PATH}?{urlencode({'user_code': device.user_code})}",
            "expires_in": settings["device_code_lifetime"], "interval": settings["interval"],
        })

    def _token(self, form: dict):
        grant = form.get("grant_type")
        oauth = self.hub.oauth
        if grant == DEVICE_GRANT:
            answer = oauth.poll(form.get("device_code", ""), form.get("client_id", ""))
        elif grant == REFRESH_GRANT:
            answer = oauth.refresh_grant(form.get("refresh_token", ""))
        elif grant == EXCHANGE_GRANT:
            if form.get("subject_token_type") != ID_TOKEN_TYPE:
                raise OAuthError(400, "invalid_request", f"subject_token_type must be {ID_TOKEN_TYPE}.")
            answer = oauth.exchange(form.get("subject_token", ""), form.get("resource", ""), self.endpoint,
                                    set(self.hub.accounts.user_names()))
        else:
            raise OAuthError(400, "unsupported_grant_type", f"Unsupported grant_type {grant!r}.")
        self.send_json(200, answer, {"Cache-Control": "no-store"})

    def _verification(self):
        """GET shows the page for `?user_code=`; POST is what its Authorize / Deny buttons send."""
        oauth = self.hub.oauth
        if self.command == "POST":
            form = self._form()
            user_code, action = form.get("user_code", ""), form.get("action", "")
            user = form.get("user") or oauth.default_user(self.hub.accounts.user_names())
            device = oauth.device_for_user_code(user_code)
            if device is None or action not in ("authorize", "deny") or self.hub.accounts.user(user or "") is None:
                return self._page(400, verification_page(None, user, "Unknown code, account or action."))
            try:
                oauth.decide(device, action == "authorize", user)
            except OAuthError as error:
                return self._page(400, verification_page(None, user, error.description))
            message = ("Device authorized: you can close this tab and return to your notebook." if action == "authorize"
                       else "Request denied: the device was not given access.")
            return self._page(200, verification_page(None, user, message))
        user_code = parse_qs(self.query).get("user_code", [""])[0]
        user = oauth.default_user(self.hub.accounts.user_names())
        self._page(200, verification_page(oauth.device_for_user_code(user_code), user))

    def _page(self, status: int, text: str):
        self.send_bytes(status, {"Content-Type": "text/html; charset=utf-8"}, text.encode())
