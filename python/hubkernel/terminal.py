"""Live displays in a terminal IPython (no kernel, so no display ids a frontend could update): one line, rewritten in
place as `hubkernel download` does in a shell, fitted to the terminal's width; ended by a line break before anything
else is shown."""
from __future__ import annotations

import re
import shutil
import sys


def has_frontend() -> bool:
    """Whether a Jupyter frontend shows the output (an IPython kernel), rather than a terminal."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    ip = get_ipython()
    return getattr(ip, "kernel", None) is not None


BAR = re.compile(r" ?[█░]+ ?")
PERCENT = re.compile(r"\d+% ")


def fit(line: str, width: int) -> str:
    """``line`` within ``width`` columns: the bar goes first, then the title before the percentage, then the end."""
    if len(line) <= width:
        return line
    line = BAR.sub(" ", line, count=1)
    if len(line) > width and (percent := PERCENT.search(line)):
        line = line[percent.start():]
    return line if len(line) <= width else line[:max(1, width - 1)] + "…"


class LiveLine:
    """The terminal's current live line, if any."""

    def __init__(self, out=None):
        self.out = out or sys.stdout
        self.open = False

    def show(self, text: str) -> None:
        """Replaces the live line with the last line of ``text``, fitted to the terminal's width."""
        line = fit(text.rstrip("\n").rsplit("\n", 1)[-1], shutil.get_terminal_size((80, 24)).columns - 1)
        self.out.write("\r\x1b[2K" + line)
        self.out.flush()
        self.open = True

    def end(self) -> None:
        """Leaves the live line as it is and moves on to the next."""
        if self.open:
            self.out.write("\n")
            self.out.flush()
            self.open = False
