"""The knowledge base: what ``commensura build`` puts into a store."""

from registry.kb.build import (
    CONTENT_DIR,
    NO_SOURCE_DATA,
    BuildReport,
    BuildStep,
    Skipped,
    build,
    build_steps,
)

__all__ = [
    "CONTENT_DIR",
    "NO_SOURCE_DATA",
    "BuildReport",
    "BuildStep",
    "Skipped",
    "build",
    "build_steps",
]
