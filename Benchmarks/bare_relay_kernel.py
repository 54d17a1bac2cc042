#!/usr/bin/env python3
"""The floor of any relay, for `relay_bench.py`: a kernel that does nothing but relay. It starts ipykernel on IPC
sockets in a private directory (as HubKernel does) and joins them to the frontend's with libzmq's own C proxy, one
thread per channel (shell, control and stdin ROUTER to DEALER, iopub XPUB to XSUB, heartbeat echoed): no signature
checked or made, nothing parsed, nothing masked. What a round trip costs through it is what one more process and two
more socket hops cost on this machine, whatever the relay does.

Usage (as a kernelspec's argv): python bare_relay_kernel.py {connection_file}
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading

import zmq


def main() -> None:
    outer = json.loads(open(sys.argv[1]).read())
    directory = tempfile.mkdtemp(prefix="bare-relay-")
    inner = {**outer, "transport": "ipc", "ip": os.path.join(directory, "ipc")}
    for number, channel in enumerate(("shell", "control", "stdin", "iopub", "hb"), start=1):
        inner[f"{channel}_port"] = number
    inner_file = os.path.join(directory, "kernel.json")
    with open(inner_file, "w") as handle:
        json.dump(inner, handle)

    context = zmq.Context()

    def address(info: dict, channel: str) -> str:
        if info["transport"] == "ipc":
            return f"ipc://{info['ip']}-{info[channel + '_port']}"
        return f"{info['transport']}://{info['ip']}:{info[channel + '_port']}"

    python = subprocess.Popen([sys.executable, "-m", "ipykernel_launcher", "-f", inner_file])
    heartbeat = context.socket(zmq.REP)
    heartbeat.bind(address(outer, "hb"))
    threading.Thread(target=zmq.proxy, args=(heartbeat, heartbeat), daemon=True).start()
    for channel, front_type, back_type in (("shell", zmq.ROUTER, zmq.DEALER), ("control", zmq.ROUTER, zmq.DEALER),
                                           ("stdin", zmq.ROUTER, zmq.DEALER), ("iopub", zmq.XPUB, zmq.XSUB)):
        front, back = context.socket(front_type), context.socket(back_type)
        front.bind(address(outer, channel))
        back.connect(address(inner, channel))
        threading.Thread(target=zmq.proxy, args=(front, back), daemon=True).start()
    try:
        sys.exit(python.wait())
    except KeyboardInterrupt:  # the frontend's interrupt: Python's own SIGINT reached it as well
        sys.exit(python.wait())


if __name__ == "__main__":
    main()
