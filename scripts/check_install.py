"""Installs HubKernel's wheel on a clean Debian and proves it works there (run by scripts/check-install, as root).

1. `mmdebstrap --variant=minbase` of Debian stable (amd64) with python3 and python3-venv only: no libzmq, no
   libcurl, no OpenSSL development files, no Swift.
2. Inside it (chroot, sharing this machine's network namespace): a venv, `pip install` of the wheel (timed), then
   jupyter_client, nbclient, ipykernel and huggingface_hub from PyPI; `jupyter kernelspec list` must show hubkernel.
3. examples/quickstart.ipynb, every cell, through nbclient against the local Hub started outside on 127.0.0.1; then
   the IPython extension: a plain ipykernel of that venv, `%load_ext hubkernel`, `%whoami`, a printed token masked
   (scripts/check_extension.py).
4. `ldd` of the installed binary and of the libcurl anchor: every library outside the manylinux policy of the
   wheel's tag must resolve inside the wheel's lib/hubkernel/.
5. `pip uninstall` must leave none of the wheel's files behind.
Prints the wheel's size, the install time and each check; exits non-zero when one fails.
"""
from __future__ import annotations

import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from examples.run_quickstart import start_local_hub  # noqa: E402

MIRROR = os.environ.get("HUBKERNEL_DEBIAN_MIRROR", "http://deb.debian.org/debian")
SUITE = os.environ.get("HUBKERNEL_DEBIAN_SUITE", "stable")
VENV = "/check/venv"


def step(title: str) -> None:
    print(f"\n== {title}", flush=True)


def in_chroot(root: pathlib.Path, command: str, *, check: bool = True) -> subprocess.CompletedProcess:
    """Runs `command` with /bin/sh inside the rootfs, with a clean environment; prints its output."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "HOME": "/root", "LANG": "C.UTF-8", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    result = subprocess.run([shutil.which("chroot") or "/usr/sbin/chroot", str(root), "/bin/sh", "-c", command], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    print(result.stdout.rstrip(), flush=True)
    if check and result.returncode != 0:
        raise SystemExit(f"check-install: `{command}` failed with status {result.returncode}")
    return result


def manylinux_allowed(tag: str) -> set[str]:
    """The shared libraries the wheel's manylinux tag lets it take from the system (auditwheel's policy)."""
    import auditwheel
    policies = json.loads((pathlib.Path(auditwheel.__file__).parent / "policy" / "manylinux-policy.json").read_text())
    for policy in policies:
        if policy["name"] == tag or tag in policy.get("aliases", []):
            return set(policy["lib_whitelist"]) | {"linux-vdso.so.1", "ld-linux-x86-64.so.2"}
    raise SystemExit(f"check-install: no manylinux policy named {tag}")


def check_ldd(output: str, allowed: set[str]) -> list[str]:
    """Problems in `ldd` output: unresolved libraries, or system libraries outside the policy."""
    problems = []
    for line in output.splitlines():
        match = re.match(r"\s*(\S+)(?: => (\S+))?", line)
        if not match:
            continue
        name, path = match.group(1), os.path.normpath(match.group(2) or match.group(1))
        if "not found" in line:
            problems.append(f"{name} not found")
        elif not path.startswith(f"{VENV}/lib/hubkernel/") and pathlib.PurePath(name).name not in allowed:
            problems.append(f"{name} resolves to the system's {path}, outside the manylinux policy")
    return problems


def main() -> int:
    wheels = sorted((REPO / "dist").glob("hubkernel-*-manylinux_*.whl"), key=lambda p: p.stat().st_mtime)
    if not wheels:
        raise SystemExit("check-install: no wheel in dist/; run scripts/package first")
    wheel = wheels[-1]
    tag = wheel.name.removesuffix(".whl").split("-")[-1].removesuffix("_x86_64")
    print(f"wheel: {wheel.name}, {wheel.stat().st_size / 2**20:.1f} MiB")

    root = pathlib.Path(tempfile.mkdtemp(prefix="hubkernel-rootfs-"))
    mounts: list[pathlib.Path] = []
    hub = None
    hub_dirs: list[pathlib.Path] = []
    failures: list[str] = []
    try:
        step(f"mmdebstrap --variant=minbase {SUITE} (python3, python3-venv)")
        started = time.monotonic()
        subprocess.run(["mmdebstrap", "--quiet", "--variant=minbase", "--architectures=amd64",
                        "--include=python3,python3-venv", SUITE, str(root), MIRROR], check=True)
        print(f"rootfs ready in {time.monotonic() - started:.0f} s")
        for system, target in (("/proc", "proc"), ("/dev", "dev")):
            subprocess.run(["mount", "--bind" if system == "/dev" else "-t", *([] if system == "/dev" else ["proc"]),
                            system, str(root / target)], check=True)
            mounts.append(root / target)
        shutil.copy("/etc/resolv.conf", root / "etc" / "resolv.conf")  # PyPI for jupyter_client and nbclient
        check = root / "check"
        (check / "examples").mkdir(parents=True)
        # The host's CA bundle for PyPI (behind a TLS-inspecting proxy the rootfs's own bundle would not do).
        shutil.copy(os.environ.get("PIP_CERT", "/etc/ssl/certs/ca-certificates.crt"), check / "host-ca.crt")
        shutil.copy(wheel, check / wheel.name)
        for name in ("quickstart.ipynb", "run_quickstart.py"):
            shutil.copy(REPO / "examples" / name, check / "examples" / name)
        shutil.copy(REPO / "scripts" / "check_extension.py", check / "check_extension.py")
        in_chroot(root, "python3 --version; for lib in libzmq.so.5 libcurl.so.4; do "
                        "ldconfig -p | grep -q $lib && echo \"$lib is installed: not a clean machine\" && exit 1; "
                        "done; echo 'no libzmq, no libcurl, no Swift (OpenSSL only as python3 needs it)'; command -v swift && exit 1 || true")

        step("pip install the wheel into a fresh venv")
        in_chroot(root, f"python3 -m venv {VENV}")
        started = time.monotonic()
        in_chroot(root, f"{VENV}/bin/pip install -q --no-index /check/{wheel.name}")
        install_seconds = time.monotonic() - started
        print(f"installed in {install_seconds:.2f} s")
        # ipykernel and huggingface_hub: the quickstart's Python step runs in the hosted Python of this venv.
        in_chroot(root, f"{VENV}/bin/pip install -q --cert /check/host-ca.crt jupyter_client nbclient nbformat ipykernel "
                        "huggingface_hub==2.4.0")

        step("jupyter kernelspec list")
        listing = in_chroot(root, f"{VENV}/bin/jupyter kernelspec list")
        if not re.search(rf"hubkernel\s+{VENV}/share/jupyter/kernels/hubkernel", listing.stdout):
            failures.append("jupyter kernelspec list does not show hubkernel")
        version = in_chroot(root, f"{VENV}/bin/hubkernel --version").stdout.split()
        if version[-1:] != [wheel.name.split("-")[1]]:
            failures.append(f"hubkernel --version says {' '.join(version)}, the wheel is {wheel.name}")

        step("examples/quickstart.ipynb through nbclient, against the local Hub outside the chroot")
        workdir = pathlib.Path(tempfile.mkdtemp(prefix="hubkernel-check-hub-"))
        hub, endpoint, tokens = start_local_hub(workdir)
        hub_dirs.append(workdir)
        token_file = check / "token"
        token_file.write_text(tokens["read"])
        token_file.chmod(0o600)
        run = in_chroot(root, f"cd /check && {VENV}/bin/python examples/run_quickstart.py --local-hub {endpoint} "
                              "--token-file /check/token --output /check/quickstart.ipynb --workdir /check/demo",
                        check=False)
        if run.returncode != 0:
            failures.append("the quickstart notebook failed")

        step("%load_ext hubkernel in a plain ipykernel of the venv: %whoami, a printed token masked")
        extension = in_chroot(root, f"cd /check && {VENV}/bin/python check_extension.py {endpoint} /check/token",
                              check=False)
        if extension.returncode != 0:
            failures.append("the IPython extension check failed")

        step("ldd of the installed binary and of the libcurl anchor")
        allowed = manylinux_allowed(tag)
        for elf in (f"{VENV}/bin/hubkernel", f"{VENV}/lib/hubkernel/libhubkernel-curl.so"):
            output = in_chroot(root, f"ldd {elf}").stdout
            problems = check_ldd(output, allowed)
            failures += [f"{elf}: {problem}" for problem in problems]
            print(f"-> {elf}: " + ("every library outside the manylinux policy resolves inside the wheel"
                                   if not problems else "; ".join(problems)))

        step("pip uninstall")
        in_chroot(root, f"{VENV}/bin/pip uninstall -y -q hubkernel")
        left = [path for path in ("bin/hubkernel", "bin/hubkernel-launcher", "lib/hubkernel", "share/jupyter/kernels/hubkernel",
                                  "lib/python3*/site-packages/hubkernel")
                if any((root / VENV.lstrip("/")).glob(path))]
        if left:
            failures.append(f"pip uninstall left {left}")
        else:
            print("bin/hubkernel, bin/hubkernel-launcher, lib/hubkernel/, share/jupyter/kernels/hubkernel/ are gone")
    finally:
        if hub is not None:
            hub.terminate()
            hub.wait(timeout=15)
        for directory in hub_dirs:
            shutil.rmtree(directory, ignore_errors=True)
        for mount in reversed(mounts):
            subprocess.run(["umount", "--lazy", str(mount)], check=False)
        if all(not os.path.ismount(m) for m in mounts):
            shutil.rmtree(root, ignore_errors=True)

    install_seconds = locals().get("install_seconds", float("nan"))
    step("summary")
    print(f"wheel {wheel.name}: {wheel.stat().st_size / 2**20:.1f} MiB; pip install of the wheel: {install_seconds:.2f} s")
    for failure in failures:
        print(f"FAIL: {failure}")
    print("check-install: " + ("FAILED" if failures else "all checks passed"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
