"""Who may see what: private repos (owner or its org members), gated repos (approved users), disabled repos."""
from . import hub_errors
from .accounts import Token
from .repos import Repo


def is_visible(repo: Repo, token: Token | None) -> bool:
    """Public repos are visible to all; private ones to their owner (or the members of the owning org)."""
    return not repo.private or (token is not None and token.user.belongs_to(repo.namespace))


def check_repo(repo: Repo | None, token: Token | None) -> None:
    """Raise the Hub's error if the repo's metadata is not visible to this caller."""
    if repo is None or not is_visible(repo, token):
        raise hub_errors.repo_not_found(token is not None)
    if repo.disabled:
        raise hub_errors.disabled()


def check_files(repo: Repo, token: Token | None, endpoint: str) -> None:
    """Raise GatedRepo if the caller may list a gated repo but not download its files."""
    if not repo.gated or (token and token.user.belongs_to(repo.namespace)):
        return
    if token and token.user.name in repo.approved and token.can_read_gated:
        return
    if token and token.user.name in repo.pending:
        raise hub_errors.gated_pending(repo.type, repo.id)
    raise hub_errors.gated(repo.type, repo.id, token is not None, endpoint)
