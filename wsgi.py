"""For gunicorn from a checkout: `gunicorn wsgi:app` (the same app as `ballot.wsgi:app`;
DATABASE_URL and BALLOT_KEYS come from the environment)."""

from __future__ import annotations

from ballot.wsgi import app

__all__ = ["app"]
