"""`python -m localhub bench-origin`: how fast the CDN origins serve a large blob, measured with curl in one run
(nginx vs the Python origin), so benchmarks can check the server is not their bottleneck."""
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from .samples import add_benchmark_repo
from .server import LocalHub

MIB = 1024 * 1024


def _download_seconds(url: str) -> float:
    started = time.perf_counter()
    subprocess.run(["curl", "-sS", "-o", "/dev/null", "--fail", url], check=True)
    return time.perf_counter() - started


def bench_origin(size: int = 512 * MIB, rounds: int = 3, root: Path | None = None) -> dict:
    """Best-of-`rounds` download time of a `size`-byte blob from each origin, and their ratio."""
    if shutil.which("curl") is None:
        raise RuntimeError("curl is needed for bench-origin (apt-get install curl)")
    if root is None:
        with tempfile.TemporaryDirectory(prefix="localhub-bench-") as scratch:
            return bench_origin(size, rounds, Path(scratch))
    workdir = Path(root)
    add_benchmark_repo(workdir, "bench/origin", small_files=0, large_size=size)
    with LocalHub(workdir) as hub:
        blob = hub.repos[("model", "bench/origin")].revisions["main"].files["large.bin"].sha256
        origins = {"nginx": hub.cdn, "python": hub.python_cdn} if hub.nginx else {"python": hub.python_cdn}
        best = {name: min(_download_seconds(f"{url}/{blob}") for _ in range(rounds)) for name, url in origins.items()}
    result = {f"{name}_MiB_per_s": round(size / MIB / seconds, 1) for name, seconds in best.items()}
    if "nginx" in best:
        result["python_over_nginx_time"] = round(best["python"] / best["nginx"], 2)
    return result
