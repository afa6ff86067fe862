"""Commensura's HTTP layer: the FastAPI application over the registry."""

from api.app import create_app

__all__ = ["create_app"]
