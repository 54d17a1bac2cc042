"""python/tests: the IPython extension. The repository's conftest.py loads the interop fixtures (local Hub, kernels);
this folder's helpers are importable as plain modules."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))
