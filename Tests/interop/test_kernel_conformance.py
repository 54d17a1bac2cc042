"""jupyter_kernel_test's conformance suites against HubKernel.

Skipped tests, and why (every other test runs and must pass):
* test_pager: HubKernel has no pager payloads (help is returned as execute_result / inspect_reply).
* test_clear_output: no magic clears output yet (clear_output is covered by the Swift KernelLoopTests).
* test_display_data: skipped until the magics layer has a display magic that succeeds offline (set
  code_display_data then); display_data / update_display_data are covered by the Swift KernelLoopTests.
* test_is_complete "invalid" samples: a cell of magics is never invalid while typed; it is only
  incomplete (a trailing backslash) or complete; errors surface at execution.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import unittest

import jupyter_kernel_test

from fixtures.kernel import KERNEL_NAME, python_env, write_kernelspec


class _KernelspecInTempJupyterPath:
    """Puts the kernelspec in a temporary JUPYTER_PATH for the class's lifetime; ``hosts_python`` says whether
    the kernel hosts the test venv's ipykernel (else ``HUBKERNEL_PYTHON_KERNEL=none``: magics only)."""

    hosts_python = False
    _saved: dict
    _data_dir: str

    @classmethod
    def setUpClass(cls) -> None:
        cls._data_dir = tempfile.mkdtemp(prefix="hubkernel-jkt-")
        write_kernelspec(cls._data_dir)
        wanted = python_env({"JUPYTER_PATH": cls._data_dir}, cls.hosts_python)
        cls._saved = {name: os.environ.get(name) for name in ("JUPYTER_PATH", "PATH", "HUBKERNEL_PYTHON_KERNEL")}
        for name in cls._saved:
            if name in wanted:
                os.environ[name] = wanted[name]
            else:
                os.environ.pop(name, None)
        super().setUpClass()

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        for name, value in cls._saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        shutil.rmtree(cls._data_dir, ignore_errors=True)


class HubKernelConformance(_KernelspecInTempJupyterPath, jupyter_kernel_test.KernelTests):
    kernel_name = KERNEL_NAME
    language_name = "hubkernel"
    file_extension = ".hub"

    code_hello_world = "%echo hello, world"
    code_stderr = "%echo --stderr this goes to stderr"
    completion_samples = [
        {"text": "%ec", "matches": {"%echo"}},
        {"text": "%lsm", "matches": {"%lsmagic"}},
    ]
    complete_code_samples = ["%echo hi", "%lsmagic", "# only a comment", "%echo a \\\n  b"]
    incomplete_code_samples = ["%echo a \\"]
    code_inspect_sample = "%help"
    code_generate_error = "%no_such_magic"
    code_execute_result = [
        {"code": "%lsmagic", "mime": "text/plain"},
        {"code": "%help echo", "mime": "text/html"},
    ]
    code_history_pattern = "%lsm*"
    supported_history_operations = ("tail", "range", "search")


class HubKernelHostingPython(_KernelspecInTempJupyterPath, jupyter_kernel_test.KernelTests):
    """The same suite with Python samples, as it runs against ipykernel itself: Python lines go to the hosted
    ipykernel, and every answer comes back through HubKernel's relay."""

    hosts_python = True
    kernel_name = KERNEL_NAME
    language_name = "python"
    file_extension = ".py"

    code_hello_world = "print('hello, world')"
    code_stderr = "import sys; print('test', file=sys.stderr)"
    completion_samples = [{"text": "zi", "matches": {"zip"}}, {"text": "%ec", "matches": {"%echo"}}]
    complete_code_samples = ["1", "print('hello, world')", "def f(x):\n  return x*2\n\n\n", "%echo hi"]
    incomplete_code_samples = ["print('''hello", "def f(x):\n  x*2"]
    invalid_code_samples = ["import = 7q"]
    code_page_something = "zip?"
    code_inspect_sample = "zip"
    code_generate_error = "raise"
    code_execute_result = [{"code": "1+2+3", "result": "6"}, {"code": "[n*n for n in range(1, 4)]", "result": "[1, 4, 9]"}]
    code_display_data = [
        {"code": "from IPython.display import HTML, display; display(HTML('<b>test</b>'))", "mime": "text/html"},
        {"code": "from IPython.display import Math, display; display(Math('\\frac{1}{2}'))", "mime": "text/latex"},
    ]
    code_history_pattern = "1?2*"
    supported_history_operations = ("tail", "range", "search")
    code_clear_output = "from IPython.display import clear_output; clear_output()"


class HubKernelIopubWelcome(_KernelspecInTempJupyterPath, jupyter_kernel_test.IopubWelcomeTests):
    kernel_name = KERNEL_NAME
    support_iopub_welcome = True


if __name__ == "__main__":
    unittest.main()
