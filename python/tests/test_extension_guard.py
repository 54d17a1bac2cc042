"""The leak table of ``Tests/interop/leak_paths.py`` through a plain ipykernel with ``%load_ext hubkernel``: the
extension's guard (libhubguard.so on the kernel's Session) must show no whole token, with the same assertions as
HubKernel's relay (``Tests/interop/test_guard_leaks.py``), and leave none in the notebook nbclient saves."""
from __future__ import annotations

import pytest

from fixtures.kernel import run_cell, stop_kernel
from ipykernel_fixture import start_ipykernel
from leak_paths import check_path, check_saved_notebook, hub_home, kernel_with, leak_suite, make_tokens, setup_cell

TOKENS = make_tokens()
PATHS = leak_suite(TOKENS)
LOAD = "%load_ext hubkernel"


@pytest.fixture(scope="module")
def kernel():
    with kernel_with(lambda root, env: start_ipykernel(root, env=env), [LOAD, setup_cell(TOKENS)], TOKENS) as pair:
        yield pair


@pytest.mark.parametrize("path", PATHS, ids=lambda path: path.id)
def test_no_whole_token_reaches_the_frontend(kernel, path):
    check_path(kernel[1], path, TOKENS)


def test_the_saved_notebook_holds_no_token(tmp_path):
    km, kc = start_ipykernel(tmp_path, env=hub_home(str(tmp_path), TOKENS))
    try:
        check_saved_notebook(km, kc, tmp_path, [LOAD, setup_cell(TOKENS)], PATHS, TOKENS)
    finally:
        stop_kernel(km, kc)


def test_without_the_extension_the_table_leaks(tmp_path):
    """The check can fail: the same kernel without ``%load_ext hubkernel`` shows the token."""
    km, kc = start_ipykernel(tmp_path, env=hub_home(str(tmp_path), TOKENS))
    try:
        run_cell(kc, setup_cell(TOKENS), timeout=60)
        with pytest.raises(AssertionError, match="whole in"):
            check_path(kc, next(path for path in PATHS if path.way.name == "print"), TOKENS)
    finally:
        stop_kernel(km, kc)
