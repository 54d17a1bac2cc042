"""A plain ipykernel (this venv's ``python -m ipykernel_launcher``) through jupyter_client, with ``python/`` on
PYTHONPATH so ``%load_ext hubkernel`` loads this checkout's extension, and the built ``libhubguard.so`` and
``hubkernel`` (``HUBGUARD_LIB``, ``HUBKERNEL_BIN``; release builds by default)."""
from __future__ import annotations

import os
import pathlib

import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

REPO = pathlib.Path(__file__).resolve().parents[2]
PYTHON_DIR = REPO / "python"


def guard_library() -> str:
    path = pathlib.Path(os.environ.get("HUBGUARD_LIB", REPO / ".build" / "release" / "libhubguard.so"))
    if not path.is_file():
        pytest.fail(f"{path} does not exist: run `swift build -c release --product hubguard` or set HUBGUARD_LIB")
    return str(path)


def backend_binary() -> str:
    path = pathlib.Path(os.environ.get("HUBKERNEL_BIN", REPO / ".build" / "release" / "hubkernel"))
    if not path.is_file():
        pytest.fail(f"{path} does not exist: run `swift build -c release --product hubkernel` or set HUBKERNEL_BIN")
    return str(path)


def extension_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment with the extension importable, the guard library and the backend found."""
    merged = {**os.environ, **(env or {})}
    merged["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PYTHON_DIR), merged.get("PYTHONPATH")]))
    merged.setdefault("HUBGUARD_LIB", guard_library())
    default_backend = REPO / ".build" / "release" / "hubkernel"
    if "HUBKERNEL_BIN" not in merged and default_backend.is_file():  # the guard alone needs no backend
        merged["HUBKERNEL_BIN"] = str(default_backend)
    return merged


def start_ipykernel(data_dir: str | os.PathLike, env: dict[str, str] | None = None, timeout: float = 60):
    """Starts a plain ipykernel; returns ``(KernelManager, BlockingKernelClient)``."""
    from fixtures.kernel import ready_client, write_python_kernelspec

    write_python_kernelspec(data_dir)
    ksm = KernelSpecManager(kernel_dirs=[str(pathlib.Path(data_dir) / "kernels")])
    km = KernelManager(kernel_name="python3", kernel_spec_manager=ksm)
    km.start_kernel(env=extension_env(env))
    return km, ready_client(km, timeout)
