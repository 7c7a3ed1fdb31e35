"""Import every model module so `Base.metadata` is complete (Alembic autogenerate, tests)."""

from storage import (
    models,  # noqa: F401
    outbox,  # noqa: F401
    requests,  # noqa: F401
    staff,  # noqa: F401
    verification,  # noqa: F401
)
from storage.base import Base

metadata = Base.metadata
