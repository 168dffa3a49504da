"""fastasync: generate production-ready async FastAPI services."""

__version__ = "0.1.0"
