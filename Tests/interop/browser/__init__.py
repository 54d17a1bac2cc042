"""Helpers for driving JupyterLab in headless Chromium through Playwright."""
