"""Runs ipykernel's own protocol tests (tests/test_message_spec.py, tests/test_kernel.py, tests/test_debugger.py and
tests/test_subshells.py from the sdist of the installed ipykernel) against ipykernel directly, then through
HubKernel, and compares.

How the tests are routed: their ``tests/utils.py`` starts kernels with ``jupyter_client.manager.start_new_kernel``
and the default ``kernel_name`` (``python3``). jupyter_core puts ``JUPYTER_PATH`` first in the kernelspec search, so
a temporary ``JUPYTER_PATH`` decides what ``python3`` is:

* ``direct``: ``kernels/python3`` is this venv's ipykernel (``python -m ipykernel_launcher``);
* ``hub``: ``kernels/python3`` is HubKernel (``$HUBKERNEL_BIN kernel -f …``) and ``kernels/ipykernel-hosted`` is
  this venv's ipykernel, named by ``HUBKERNEL_PYTHON_KERNEL`` so HubKernel hosts it.

The sdist is run as it ships (its pyproject's pytest options, warnings as errors); ``timeout_plugin`` supplies the
``timeout`` option and ``flaky`` marker its config names. Results are read from junit XML.

Exit status (``--check``): 0 when every test that passes directly also passes through HubKernel, except those listed
in ``expected_differences.txt`` (each with its reason), and every listed one still differs (a stale entry is an
error too).

    python Tests/ipykernel_suite/run.py [--mode direct|hub|both] [--check] [-- pytest args]
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[1]
TEST_FILES = ["tests/test_message_spec.py", "tests/test_kernel.py", "tests/test_debugger.py", "tests/test_subshells.py"]
HOSTED_NAME = "ipykernel-hosted"


def ipykernel_version() -> str:
    from importlib.metadata import version
    return version("ipykernel")


def sdist(cache: pathlib.Path) -> pathlib.Path:
    """The unpacked sdist of the installed ipykernel, downloaded once into ``cache``."""
    ver = ipykernel_version()
    root = cache / f"ipykernel-{ver}"
    if (root / "tests" / "utils.py").exists():
        return root
    cache.mkdir(parents=True, exist_ok=True)
    # --no-binary for ipykernel only: `:all:` would also build hatchling's own build dependencies (cmake, ninja)
    # from source just to prepare the sdist's metadata.
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", "ipykernel",
                    f"ipykernel=={ver}", "-d", str(cache)], check=True)
    archive = cache / f"ipykernel-{ver}.tar.gz"
    shutil.unpack_archive(str(archive), str(cache))
    return root


def ipykernel_spec(directory: pathlib.Path, name: str) -> None:
    target = directory / "kernels" / name
    target.mkdir(parents=True, exist_ok=True)
    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python 3 (ipykernel)", "language": "python", "metadata": {"debugger": True}}
    (target / "kernel.json").write_text(json.dumps(spec, indent=2))


def hubkernel_spec(directory: pathlib.Path, binary: str) -> None:
    sys.path.insert(0, str(REPO / "Tests" / "interop"))
    from fixtures.kernel import write_kernelspec  # the interop suite's own kernelspec writer
    write_kernelspec(directory, binary=binary, name="python3")


def run_pytest(mode: str, root: pathlib.Path, work: pathlib.Path, extra: list[str]) -> dict[str, tuple[str, str]]:
    """Runs the sdist's tests in ``mode``; returns {test id: (passed|failed|skipped, failure message)}."""
    data = work / mode / "jupyter"
    data.mkdir(parents=True)
    env = dict(os.environ)
    env["JUPYTER_PATH"] = str(data)
    env["IPYTHONDIR"] = str(work / mode / "ipython")
    env["HF_HOME"] = str(work / mode / "hf")
    env.pop("HUBKERNEL_PYTHON_KERNEL", None)
    env["PYTHONPATH"] = os.pathsep.join([str(HERE)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env["PATH"] = str(pathlib.Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    if mode == "direct":
        ipykernel_spec(data, "python3")
    else:
        binary = os.environ.get("HUBKERNEL_BIN", str(REPO / ".build" / "release" / "hubkernel"))
        if not pathlib.Path(binary).exists():
            sys.exit(f"{binary} does not exist: build it (swift build -c release --product hubkernel) or set HUBKERNEL_BIN")
        hubkernel_spec(data, binary)
        ipykernel_spec(data, HOSTED_NAME)
        env["HUBKERNEL_PYTHON_KERNEL"] = HOSTED_NAME
    junit = work / mode / "junit.xml"
    cmd = [sys.executable, "-m", "pytest", "-p", "timeout_plugin", "-p", "no:cacheprovider", f"--rootdir={root}",
           "-o", "log_cli_level=WARNING", "-o", "asyncio_default_fixture_loop_scope=function", "--color=no", "-q", f"--junitxml={junit}", *TEST_FILES, *extra]
    print(f"\n=== {mode}: {' '.join(cmd[1:])}", flush=True)
    started = time.monotonic()
    subprocess.run(cmd, cwd=root, env=env)
    print(f"=== {mode}: {time.monotonic() - started:.0f} s", flush=True)
    results: dict[str, tuple[str, str]] = {}
    if not junit.exists():
        return results
    for case in ET.parse(junit).getroot().iter("testcase"):
        outcome, message = "passed", ""
        for child in case:
            if child.tag in ("failure", "error"):
                outcome, message = "failed", child.get("message") or ""
            elif child.tag == "skipped" and outcome == "passed":
                outcome = "skipped"
        results[f"{case.get('classname')}::{case.get('name')}"] = (outcome, message)
    return results


def expected_differences() -> dict[str, tuple[str, bool, str]]:
    """``expected_differences.txt``: ``test id | the failure message it must fail with [| may pass]  # reason`` per
    line; returns {test id: (failure message, whether it may pass, reason)}."""
    entries: dict[str, tuple[str, bool, str]] = {}
    path = HERE / "expected_differences.txt"
    for line in path.read_text().splitlines() if path.exists() else []:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        entry, _, reason = line.partition("#")
        test, _, rest = entry.partition("|")
        failure, _, timing = rest.partition("|")
        entries[test.strip()] = (failure.strip(), timing.strip() == "may pass", reason.strip())
    return entries


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", choices=["direct", "hub", "both"], default="both")
    parser.add_argument("--check", action="store_true", help="fail unless the differences are exactly the listed ones")
    parser.add_argument("--cache", default=str(REPO / ".build" / "ipykernel-suite"))
    parser.add_argument("pytest_args", nargs="*")
    args = parser.parse_args()
    root = sdist(pathlib.Path(args.cache))
    work = pathlib.Path(tempfile.mkdtemp(prefix="ipykernel-suite-"))
    try:
        modes = ["direct", "hub"] if args.mode == "both" else [args.mode]
        results = {mode: run_pytest(mode, root, work, args.pytest_args) for mode in modes}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    tests = sorted(set().union(*[r.keys() for r in results.values()]))
    print("\n" + " | ".join(["test".ljust(60)] + [m.ljust(7) for m in modes]))
    for test in tests:
        print(" | ".join([test.ljust(60)] + [results[m].get(test, ("-", ""))[0].ljust(7) for m in modes]))
    for mode in modes:
        counts = {k: [outcome for outcome, _ in results[mode].values()].count(k) for k in ("passed", "failed", "skipped")}
        print(f"{mode}: {counts}")
    if not args.check or args.mode != "both":
        return 0 if all(v[0] != "failed" for r in results.values() for v in r.values()) else 1
    expected = expected_differences()
    problems = []
    if not results["direct"] or not results["hub"]:
        problems.append("a run produced no results")
    for test in tests:
        direct = results["direct"].get(test, ("-", ""))[0]
        hub, failure = results["hub"].get(test, ("-", ""))
        if direct == "failed":
            problems.append(f"{test} fails against ipykernel itself: the harness is broken")
        elif direct == "passed" and hub != "passed" and test not in expected:
            problems.append(f"{test} passes directly but is {hub} through HubKernel: {failure}")
        elif test in expected and hub == "passed" and not expected[test][1]:
            problems.append(f"{test} is listed in expected_differences.txt but passes through HubKernel: remove it")
        elif test in expected and hub == "failed" and expected[test][0] not in failure:
            problems.append(f"{test} fails through HubKernel for another reason than the listed one "
                            f"({expected[test][0]!r}): {failure}")
    for problem in problems:
        print("ipykernel-suite:", problem, file=sys.stderr)
    for test, (_, _, reason) in expected.items():
        print(f"expected difference: {test}: {reason}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
