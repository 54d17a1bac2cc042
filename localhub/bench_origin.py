"""`python -m localhub bench-origin`: how fast the local Hub serves, measured with curl in one run, so benchmarks can
check the server is not their bottleneck: a large blob from each CDN origin (nginx vs the Python origin), and many
small files from the API server over one keep-alive connection."""
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from .samples import add_benchmark_repo
from .server import LocalHub

MIB = 1024 * 1024


def _curl_seconds(config: str) -> float:
    started = time.perf_counter()
    subprocess.run(["curl", "-sS", "--fail", "-K", "-"], input=config.encode(), check=True)
    return time.perf_counter() - started


def _fetch(urls: list[str]) -> str:
    return "".join(f'url = "{url}"\noutput = "/dev/null"\n' for url in urls)


def bench_origin(size: int = 512 * MIB, rounds: int = 3, small_files: int = 500, root: Path | None = None) -> dict:
    """Best-of-`rounds` times: a `size`-byte blob from each origin, and `small_files` sequential small GETs."""
    if shutil.which("curl") is None:
        raise RuntimeError("curl is needed for bench-origin (apt-get install curl)")
    if root is None:
        with tempfile.TemporaryDirectory(prefix="localhub-bench-") as scratch:
            return bench_origin(size, rounds, small_files, Path(scratch))
    add_benchmark_repo(root, "bench/origin", small_files=small_files, large_size=size)
    with LocalHub(root) as hub:
        blob = hub.repos[("model", "bench/origin")].revisions["main"].files["large.bin"].sha256
        origins = {"nginx": hub.cdn, "python": hub.python_cdn} if hub.nginx else {"python": hub.python_cdn}
        best = {name: min(_curl_seconds(_fetch([f"{url}/{blob}"])) for _ in range(rounds))
                for name, url in origins.items()}
        small = _fetch([f"{hub.endpoint}/bench/origin/resolve/main/files/file_{i:05d}.txt" for i in range(small_files)])
        small_seconds = min(_curl_seconds(small) for _ in range(rounds))
    result = {f"{name}_MiB_per_s": round(size / MIB / seconds, 1) for name, seconds in best.items()}
    if "nginx" in best:
        result["python_over_nginx_time"] = round(best["python"] / best["nginx"], 2)
    result["api_small_gets_per_s"] = round(small_files / small_seconds)
    return result
