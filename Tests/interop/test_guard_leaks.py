"""The token guard, tried as a careless user and their libraries would: every way in ``leak_paths.WAYS``, with tokens
of every shape, known and unknown, through HubKernel's relay to the hosted Python. Every message of each cell is
recorded (and, for background writers, what comes after the cell's idle); no whole token may be in any of them, in
a stream as a frontend joins it, or in the notebook nbclient saves. The false-positive corpus is
``test_guard_corpus.py``; the same table through the IPython extension's guard is python/tests/test_extension_guard.py.
"""
from __future__ import annotations

import pytest

from fixtures.kernel import start_kernel, stop_kernel
from leak_paths import check_path, check_saved_notebook, hub_home, kernel_with, leak_suite, make_tokens, setup_cell

TOKENS = make_tokens()
PATHS = leak_suite(TOKENS)
assert len(PATHS) >= 80


@pytest.fixture(scope="module")
def relay():
    with kernel_with(lambda root, env: start_kernel(root, env=env, python=True), [setup_cell(TOKENS)], TOKENS) as pair:
        yield pair


@pytest.mark.parametrize("path", PATHS, ids=lambda path: path.id)
def test_no_whole_token_reaches_the_frontend(relay, path):
    check_path(relay[1], path, TOKENS)


def test_the_saved_notebook_holds_no_token(tmp_path):
    pytest.importorskip("nbformat")
    pytest.importorskip("nbclient")
    km, kc = start_kernel(str(tmp_path), env=hub_home(str(tmp_path), TOKENS), python=True)
    try:
        check_saved_notebook(km, kc, tmp_path, [setup_cell(TOKENS)], PATHS, TOKENS)
    finally:
        stop_kernel(km, kc)
