"""Typed dependencies: the store and the settings, as the lifespan opened them."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from registry.config import Settings
from registry.store import Store


def get_store(request: Request) -> Store:
    """The store opened in the application's lifespan."""
    return cast(Store, request.app.state.store)


def get_settings(request: Request) -> Settings:
    """The settings the application was created with."""
    return cast(Settings, request.app.state.settings)


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
