"""Errors as huggingface.co signals them: status, `X-Error-Code`, `X-Error-Message`, JSON body `{"error": ...}`."""
from dataclasses import dataclass, field

INVALID_CREDENTIALS = "Invalid credentials in Authorization header"
DISABLED_MESSAGE = "Access to this resource is disabled."


@dataclass(frozen=True)
class HubError(Exception):
    status: int
    message: str
    code: str | None = None
    headers: dict = field(default_factory=dict)

    def response_headers(self) -> dict:
        headers = {"X-Error-Message": self.message, **self.headers}
        if self.code:
            headers["X-Error-Code"] = self.code
        return headers


def invalid_credentials() -> HubError:
    return HubError(401, INVALID_CREDENTIALS)


def repo_not_found(authenticated: bool) -> HubError:
    # Anonymous callers get 401 (the Hub does not reveal whether a private repo exists), others 404.
    return HubError(404 if authenticated else 401, "Repository not found", "RepoNotFound")


def gated(repo_type: str, repo_id: str, authenticated: bool, endpoint: str) -> HubError:
    if authenticated:
        return HubError(403, f"Access to {repo_type} {repo_id} is restricted and you are not in the authorized list."
                             f" Visit {endpoint}/{repo_id} to ask for access.", "GatedRepo")
    return HubError(401, f"Access to {repo_type} {repo_id} is restricted. You must have access to it and be"
                         " authenticated to access it. Please log in.", "GatedRepo")


def gated_pending(repo_type: str, repo_id: str) -> HubError:
    """What the Hub answers to an account whose access request has not been reviewed yet."""
    return HubError(403, f"Your request to access {repo_type} {repo_id} is awaiting a review from the repo authors.",
                    "GatedRepo")


def disabled() -> HubError:
    return HubError(403, DISABLED_MESSAGE, "DisabledRepo")


def revision_not_found(revision: str) -> HubError:
    return HubError(404, f"Invalid rev id: {revision}", "RevisionNotFound")


def entry_not_found(commit: str) -> HubError:
    return HubError(404, "Entry not found", "EntryNotFound", {"X-Repo-Commit": commit})


def not_found(message: str = "Not Found") -> HubError:
    return HubError(404, message)
