"""Helpers of the team and cluster tests (issue 30): real Unix users, JupyterHub, a Jupyter server's kernels API."""
