"""Writes examples/quickstart.ipynb (run once by hand when the tour changes; the notebook is committed).

Cells hold magics only; no cell ever contains a token.
"""
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

cells = [
    new_markdown_cell(
        "# HubKernel quickstart\n\n"
        "Every cell here is a `%magic`. Log in without putting the token in a cell, see which token is in force and "
        "why, download into the cache Python's `huggingface_hub` reads, and look at that cache.\n\n"
        "Run `%help` for every magic, or add `--help` to any magic."),
    new_code_cell("%lsmagic"),
    new_markdown_cell(
        "The repos this tour uses. The cell is tagged `parameters`: papermill replaces it "
        "(`python examples/hubkernel_papermill.py IN OUT -p repo org/name`), and later cells read `$repo`."),
    new_code_cell("%set repo demo/tiny-model\n%set gated_repo demo/gated-model", metadata={"tags": ["parameters"]}),
    new_markdown_cell(
        "## Log in\n\n`%hf_login` shows a link and a code: open the link, approve the code in the browser, and the "
        "display turns into \"Logged in as …\". The token never appears in the notebook, its outputs, or the "
        "history; it is saved where `huggingface_hub` looks (`$HF_HOME/token`, mode 0600) and refreshed "
        "automatically before it expires. `%hf_login --paste` asks for a token in the password box instead."),
    new_code_cell("%hf_login --name quickstart"),
    new_code_cell("%whoami"),
    new_markdown_cell(
        "## Which token is in force, and why\n\n`HF_TOKEN` beats `HUGGING_FACE_HUB_TOKEN`, which beats the saved "
        "token file. Values are masked."),
    new_code_cell("%token_source"),
    new_markdown_cell("## Download\n\nFirst see what would be fetched, then fetch it with live progress."),
    new_code_cell("%download $repo --dry-run"),
    new_code_cell("%download $repo"),
    new_markdown_cell("A single file resolves to its path in the shared cache (a symlink into `blobs/`):"),
    new_code_cell("%download $repo config.json"),
    new_markdown_cell("## Gated models\n\n`%doctor --repo` checks that the licence of a gated model was accepted."),
    new_code_cell("%doctor --repo $gated_repo"),
    new_markdown_cell("## The shared cache\n\nPython's `scan_cache_dir()` sees exactly this."),
    new_code_cell("%cache ls"),
]

notebook = new_notebook(cells=cells, metadata={
    "kernelspec": {"name": "hubkernel", "display_name": "HubKernel", "language": "hubkernel"},
    "language_info": {"name": "hubkernel", "mimetype": "text/x-hubkernel", "file_extension": ".hub"},
})
nbformat.write(notebook, Path(__file__).with_name("quickstart.ipynb"))
