"""End-to-end tests: a real Chromium, driven by Playwright, against a real `oretrace serve`."""
