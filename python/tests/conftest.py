"""python/tests: the IPython extension. The repository's conftest.py loads the interop fixtures (local Hub, kernels);
this folder's helpers and the checkout's ``python/hubkernel`` are importable."""
import pathlib
import sys

_here = pathlib.Path(__file__).parent
sys.path[:0] = [str(_here), str(_here.parent)]
