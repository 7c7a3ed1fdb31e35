"""Import every model module so `Base.metadata` is complete (Alembic autogenerate, tests)."""

from storage import models  # noqa: F401
from storage import outbox  # noqa: F401
from storage import requests  # noqa: F401
from storage import verification  # noqa: F401
from storage.base import Base

metadata = Base.metadata
