#!/usr/bin/env python3
"""Writes HubKernel's wheel from a staged tree (called by scripts/package; stdlib only).

Files under the `data` scheme, which pip installs relative to the environment's prefix (a venv, ~/.local with
--user, /usr/local):

    bin/hubkernel                                  the kernel and terminal commands
    lib/hubkernel/                                 libhubguard.so (the extension's token guard) and the libraries
                                                   auditwheel vendors (libzmq, libcurl, OpenSSL, …)
    share/jupyter/kernels/hubkernel/kernel.json    so `jupyter kernelspec list` shows it with no further command

and, at the wheel's root (site-packages), the IPython extension's package `hubkernel/` (`%load_ext hubkernel`).

Usage: build_wheel.py STAGE_DIR OUT_DIR VERSION [PACKAGE_ROOT]
STAGE_DIR mirrors the prefix (bin/, lib/, share/); PACKAGE_ROOT holds the packages for site-packages. The wheel is
tagged py3-none-linux_x86_64 until `auditwheel repair` gives it its manylinux tag.
"""
from __future__ import annotations

import base64
import hashlib
import os
import pathlib
import sys
import zipfile

NAME = "hubkernel"
SUMMARY = "A Jupyter kernel for the Hugging Face Hub: log in, download into the shared cache, inspect it"


def record_line(archive_name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{archive_name},sha256={digest},{len(data)}"


def metadata(version: str) -> str:
    return (f"Metadata-Version: 2.1\nName: {NAME}\nVersion: {version}\nSummary: {SUMMARY}\n"
            "Requires-Python: >=3.8\n"
            "Classifier: Framework :: Jupyter\nClassifier: Operating System :: POSIX :: Linux\n")


def wheel_info() -> str:
    return "Wheel-Version: 1.0\nGenerator: hubkernel scripts/build_wheel.py\nRoot-Is-Purelib: false\nTag: py3-none-linux_x86_64\n"


def build(stage: pathlib.Path, out_dir: pathlib.Path, version: str, packages: pathlib.Path | None = None) -> pathlib.Path:
    data_dir = f"{NAME}-{version}.data/data"
    dist_info = f"{NAME}-{version}.dist-info"
    wheel_path = out_dir / f"{NAME}-{version}-py3-none-linux_x86_64.whl"
    records = []
    with zipfile.ZipFile(wheel_path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as wheel:
        def add(archive_name: str, data: bytes, mode: int = 0o644) -> None:
            info = zipfile.ZipInfo(archive_name, date_time=(2026, 1, 1, 0, 0, 0))
            info.external_attr = (0o100000 | mode) << 16  # pip keeps the executable bit
            info.compress_type = zipfile.ZIP_DEFLATED
            wheel.writestr(info, data)
            records.append(record_line(archive_name, data))

        for path in sorted(p for p in stage.rglob("*") if p.is_file()):
            mode = 0o755 if os.access(path, os.X_OK) else 0o644
            add(f"{data_dir}/{path.relative_to(stage).as_posix()}", path.read_bytes(), mode)
        if packages is not None:
            for path in sorted(p for p in packages.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
                add(path.relative_to(packages).as_posix(), path.read_bytes())
        add(f"{dist_info}/METADATA", metadata(version).encode())
        add(f"{dist_info}/WHEEL", wheel_info().encode())
        records.append(f"{dist_info}/RECORD,,")
        info = zipfile.ZipInfo(f"{dist_info}/RECORD", date_time=(2026, 1, 1, 0, 0, 0))
        info.external_attr = 0o100644 << 16
        wheel.writestr(info, "\n".join(records) + "\n")
    return wheel_path


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    packages = pathlib.Path(sys.argv[4]) if len(sys.argv) == 5 else None
    print(build(pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3], packages))
