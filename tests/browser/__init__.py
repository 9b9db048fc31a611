"""The browser's modules under Node, and whole meetings in headless Chromium."""
