"""LocalHub: a stand-in for huggingface.co on 127.0.0.1 (stdlib only, plus nginx as the CDN origin when present).

Run it with ``python -m localhub serve --root DIR``; build the sample repos with ``python -m localhub samples DIR``.
"""
