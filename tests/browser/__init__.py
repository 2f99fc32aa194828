"""Tests that drive the real Tasklist in Debian's Chromium (Playwright for Python, no browser download)."""
