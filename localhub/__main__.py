"""`python -m localhub serve ...` and `python -m localhub samples DIR`."""
import argparse
import json
import sys

from .server import DEFAULT_PAGE_SIZE, serve


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m localhub", description="A local stand-in for huggingface.co")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("serve", help="serve the repos of ROOT/repos.json on 127.0.0.1")
    run.add_argument("--root", required=True, help="folder with repos.json and the repo sources")
    run.add_argument("--port", type=int, default=0, help="API port (0: any free port)")
    run.add_argument("--cdn-port", type=int, default=0, help="CDN origin port (0: any free port)")
    run.add_argument("--cas-port", type=int, default=0, help="Xet CAS server port (0: any free port)")
    run.add_argument("--state", help="users/tokens JSON file (default: ROOT/state.json)")
    run.add_argument("--page-size", type=int, default=DEFAULT_PAGE_SIZE, help="tree listing page size")
    run.add_argument("--lfs-threshold", type=int, default=None, help="files above this many bytes are LFS")
    run.add_argument("--cdn", choices=("auto", "nginx", "python"), default="auto", help="CDN origin to use")
    run.add_argument("--front", action="store_true",
                     help="also run the nginx front (serves public small files itself, proxies the rest)")
    build = commands.add_parser("samples", help="build the sample repos and a state file with fresh tokens")
    build.add_argument("root")
    build.add_argument("--model-size", type=int, default=None, help="bytes of demo/tiny-model's model.safetensors")
    bench = commands.add_parser("bench-repo", help="add a benchmark repo (N small files, one file of S bytes)")
    bench.add_argument("root")
    bench.add_argument("--id", default="bench/repo")
    bench.add_argument("--files", type=int, default=100)
    bench.add_argument("--large-size", type=int, default=0)
    origin = commands.add_parser("bench-origin", help="measure nginx vs the Python CDN origin with curl")
    origin.add_argument("--size-mib", type=int, default=512)
    origin.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    if args.command == "serve":
        serve(args)
    elif args.command == "samples":
        from .samples import build_samples
        result = build_samples(args.root, **({"model_size": args.model_size} if args.model_size else {}))
        print(json.dumps({"root": str(result.root), "state": str(result.state), "roles": sorted(result.tokens)}))
    elif args.command == "bench-origin":
        from .bench_origin import MIB, bench_origin
        print(json.dumps(bench_origin(args.size_mib * MIB, args.rounds)))
    else:
        from .samples import add_benchmark_repo
        add_benchmark_repo(args.root, args.id, small_files=args.files, large_size=args.large_size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
