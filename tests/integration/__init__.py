"""The services on SQLite and PostgreSQL, the web app (in process and under gunicorn), the command line in subprocesses, durability."""
