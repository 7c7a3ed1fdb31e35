"""Persistence: typed SQLAlchemy 2 models, engine and sessions, Alembic migrations, query functions."""
