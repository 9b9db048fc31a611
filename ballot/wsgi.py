"""For gunicorn: `gunicorn 'ballot.wsgi:app'` (DATABASE_URL and BALLOT_KEYS from the
environment; see README, *Serving*)."""

from __future__ import annotations

from ballot.web import create_app

app = create_app()
