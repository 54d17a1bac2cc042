"""A session with CurveZMQ transport encryption required (jupyter_client provisions the keys)."""
from __future__ import annotations

import json

import pytest
import zmq

from fixtures.kernel import run_cell, stream_text

pytestmark = pytest.mark.skipif(not zmq.has("curve"), reason="libzmq without CurveZMQ")


def test_required_encryption_session(start_hubkernel):
    km, kc = start_hubkernel(transport_encryption="required")
    with open(km.connection_file) as handle:
        info = json.load(handle)
    assert len(info["curve_publickey"]) == 40 and len(info["curve_secretkey"]) == 40
    reply, iopub = run_cell(kc, "%echo encrypted hello")
    assert reply["content"]["status"] == "ok"
    assert stream_text(iopub) == "encrypted hello\n"

    # A client without the server key gets nothing: the kernel really is a Curve server.
    context = zmq.Context.instance()
    plain = context.socket(zmq.DEALER)
    plain.linger = 0
    plain.connect(f"tcp://{info['ip']}:{info['shell_port']}")
    try:
        try:  # without a Curve handshake there is no peer: a blocking send would wait forever
            plain.send_multipart(km.session.serialize(km.session.msg("kernel_info_request")), flags=zmq.NOBLOCK)
        except zmq.Again:
            pass
        assert not plain.poll(700), "a plaintext client must not be answered"
    finally:
        plain.close()

    msg_id = kc.kernel_info()
    assert kc.get_shell_msg(timeout=10)["parent_header"]["msg_id"] == msg_id
