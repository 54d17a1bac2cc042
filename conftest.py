"""Loads the interop suite's shared fixtures (Tests/interop/fixtures/*.py) as pytest plugins."""
import pathlib
import sys

_interop = pathlib.Path(__file__).parent / "Tests" / "interop"
sys.path[:0] = [str(pathlib.Path(__file__).parent), str(_interop)]
pytest_plugins = sorted(
    f"fixtures.{path.stem}" for path in (_interop / "fixtures").glob("*.py") if not path.stem.startswith("_")
)
