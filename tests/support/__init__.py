"""What the tests share: test-only groups, meetings prepared for the web tests, helpers."""
