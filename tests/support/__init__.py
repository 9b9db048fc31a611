"""What the tests share: the repository's root, test-only groups (`small_group`), scenario
helpers (`scenarios`), Node for the browser modules (`node`), meetings and servers prepared
for the web tests (`web`)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
