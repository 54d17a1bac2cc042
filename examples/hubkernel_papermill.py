"""Papermill support for HubKernel notebooks: parameters become `%set NAME VALUE` lines, used as `$NAME`.

papermill finds translators by kernel or language name; HubKernel's language is `hubkernel`:

    import hubkernel_papermill, papermill
    hubkernel_papermill.register()
    papermill.execute_notebook("quickstart.ipynb", "out.ipynb", parameters={"repo": "org/name"})

or from a shell: `python examples/hubkernel_papermill.py IN OUT -p repo org/name`.
"""
import shlex
import sys

from papermill.translators import Translator, papermill_translators


class HubKernelTranslator(Translator):
    """Parameters as `%set` lines; strings are shell-quoted so spaces survive."""

    @classmethod
    def translate_escaped_str(cls, str_val):
        return shlex.quote(str(str_val))

    @classmethod
    def translate_none(cls, val):
        return "''"

    @classmethod
    def translate_bool(cls, val):
        return "true" if val else "false"

    @classmethod
    def translate_dict(cls, val):
        raise ValueError("HubKernel parameters are words: pass strings, numbers or booleans, not a dict")

    @classmethod
    def translate_list(cls, val):
        return shlex.quote(" ".join(str(item) for item in val))

    @classmethod
    def comment(cls, cmt_str):
        return f"# {cmt_str}".strip()

    @classmethod
    def assign(cls, name, str_val):
        return f"%set {name} {str_val}"


def register() -> None:
    papermill_translators.register("hubkernel", HubKernelTranslator)


if __name__ == "__main__":
    from papermill.cli import papermill as papermill_cli

    register()
    papermill_cli(sys.argv[1:])
