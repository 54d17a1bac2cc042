"""Colab's secret ``HF_TOKEN`` as a token source, read as huggingface_hub 2.4 reads it
(``huggingface_hub.utils._auth._get_token_from_google_colab``): not on Colab Enterprise (``VERTEX_PRODUCT``);
``google.colab.userdata.get("HF_TOKEN")`` under a lock, once per session (a refused access is not asked again);
the value cleaned (``\\r``/``\\n`` removed, stripped, empty is none); a refusal or a Colab error is a warning, a
missing secret is silent. When huggingface_hub already read it in this session, its answer is used (one access
pop-up, not two).
"""
from __future__ import annotations

import importlib.util
import os
import sys
import threading
import warnings

NAME = "Colab secret HF_TOKEN"
_lock = threading.Lock()
_checked = False
_secret: str | None = None


def clean_token(token: str | None) -> str | None:
    if token is None:
        return None
    return token.replace("\r", "").replace("\n", "").strip() or None


def _on_colab() -> bool:
    if os.environ.get("VERTEX_PRODUCT") == "COLAB_ENTERPRISE":
        return False
    try:
        return importlib.util.find_spec("google.colab") is not None
    except (ImportError, ValueError):
        return False


def _from_huggingface_hub() -> tuple[bool, str | None]:
    auth = sys.modules.get("huggingface_hub.utils._auth")
    if auth is not None and getattr(auth, "_IS_GOOGLE_COLAB_CHECKED", False):
        return True, getattr(auth, "_GOOGLE_COLAB_SECRET", None)
    return False, None


def secret() -> str | None:
    """The Colab secret HF_TOKEN, or None (not on Colab, no secret, access refused)."""
    global _checked, _secret
    if not _on_colab():
        return None
    with _lock:
        if _checked:
            return _secret
        known, value = _from_huggingface_hub()
        if known:
            _checked, _secret = True, value
            return value
        try:
            from google.colab import userdata  # type: ignore
            from google.colab.errors import Error as ColabError  # type: ignore
        except ImportError:
            return None
        try:
            _secret = clean_token(userdata.get("HF_TOKEN"))
        except userdata.NotebookAccessError:
            warnings.warn("\nAccess to the secret `HF_TOKEN` has not been granted on this notebook."
                          "\nYou will not be requested again."
                          "\nPlease restart the session if you want to be prompted again.")
            _secret = None
        except userdata.SecretNotFoundError:
            _secret = None
        except ColabError as error:
            warnings.warn(f"\nError while fetching `HF_TOKEN` secret value from your vault: '{error}'.")
            _secret = None
        _checked = True
        return _secret


def token_sources() -> list[dict[str, str]]:
    """``initializationOptions.tokenSources`` for the backend."""
    token = secret()
    return [{"name": NAME, "token": token}] if token else []
