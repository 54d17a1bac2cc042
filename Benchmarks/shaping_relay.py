#!/usr/bin/env python3
"""A far, slow link on loopback (`tc netem` is not available here): a TCP relay on 127.0.0.1 in front of one
upstream that delays every chunk by half the round-trip time in each direction (default 40 ms RTT: 20 ms each way,
pipelined, as a long cable is — not stop-and-wait) and caps each connection's bandwidth with a token bucket
(default 25 MB/s per connection, each direction). Every client connection gets its own upstream connection, so
every peer pays the same per-connection cost and gains only by opening more connections or reusing them. A new
connection also waits one RTT before its first byte goes through (the TCP handshake over the long path; the
loopback connect to the relay itself is instant).

What it does not model: TCP slow start and window limits over the long path, loss, jitter.

    with ShapingRelay("127.0.0.1:8080", rtt_ms=40, rate=25e6) as relay: relay.url  # http://127.0.0.1:<port>

Or run alone: python Benchmarks/shaping_relay.py 127.0.0.1:8080 [--rtt-ms 40] [--rate-mbs 25] (prints its port).
Runs in its own process (the benchmark's Python and the local Hub's threads do not share its GIL).
"""
from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys

CHUNK = 256 * 1024
# Chunks in flight per direction: 16 x 256 KiB covers the bandwidth-delay product (25 MB/s x 20 ms = 0.5 MB) with
# room to spare, and bounds the relay's memory (the reader waits, so the upstream is held back by TCP).
IN_FLIGHT = 16


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float, rate: float) -> None:
    """Bytes from `reader` to `writer`, each chunk sent `delay` s after it arrived and no faster than `rate` B/s."""
    queue: asyncio.Queue = asyncio.Queue(IN_FLIGHT)
    loop = asyncio.get_running_loop()

    async def receive():
        while True:
            data = await reader.read(CHUNK)
            await queue.put((loop.time() + delay, data))
            if not data:
                return

    async def send():
        bucket_free = 0.0  # when the token bucket has room for the next chunk
        while True:
            due, data = await queue.get()
            if not data:
                break
            bucket_free = max(bucket_free, loop.time()) + len(data) / rate
            wait = max(due, bucket_free) - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()

    receiving = asyncio.ensure_future(receive())
    try:
        await send()
    finally:
        receiving.cancel()


async def _serve(upstream: str, rtt_ms: float, rate: float, ready) -> None:
    host, port = upstream.rsplit(":", 1)
    delay = rtt_ms / 2000

    async def handle(client_reader, client_writer):
        await asyncio.sleep(rtt_ms / 1000)  # the handshake: SYN, SYN-ACK over the long path
        try:
            server_reader, server_writer = await asyncio.open_connection(host, int(port))
        except OSError:
            client_writer.close()
            return
        for sock in (client_writer, server_writer):
            sock.get_extra_info("socket").setsockopt(6, 1, 1)  # TCP_NODELAY: the relay paces, not Nagle
        try:
            await asyncio.gather(_pump(client_reader, server_writer, delay, rate),
                                 _pump(server_reader, client_writer, delay, rate))
        except (ConnectionError, OSError):
            pass
        finally:
            for writer in (client_writer, server_writer):
                writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=512)
    ready(server.sockets[0].getsockname()[1])
    async with server:
        await server.serve_forever()


class ShapingRelay:
    """The relay in a child process, in front of `upstream` (`host:port`); `url` is its http address."""

    def __init__(self, upstream: str, *, rtt_ms: float = 40, rate: float = 25e6):
        self.process = subprocess.Popen([sys.executable, __file__, upstream, "--rtt-ms", str(rtt_ms),
                                         "--rate-mbs", str(rate / 1e6)], stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        if not line.strip().isdigit():
            self.process.kill()
            raise RuntimeError(f"shaping relay did not start: {line!r}")
        self.port = int(line)
        self.url = f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("upstream", help="host:port")
    parser.add_argument("--rtt-ms", type=float, default=40)
    parser.add_argument("--rate-mbs", type=float, default=25, help="per connection, MB/s (10^6 bytes)")
    args = parser.parse_args()

    def ready(port):
        print(port, flush=True)
    try:
        asyncio.run(_serve(args.upstream, args.rtt_ms, args.rate_mbs * 1e6, ready))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
