"""What is kept: the database (engine, models, Alembic migrations) and private files.

Only `ballot.services` reaches the database; nothing else imports SQLAlchemy (the import
contracts in pyproject.toml keep it so)."""
