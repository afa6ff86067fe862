"""The knowledge base: what ``commensura build`` puts into a store."""

from registry.kb.build import CONTENT_DIR, BuildReport, BuildStep, build, build_steps

__all__ = ["CONTENT_DIR", "BuildReport", "BuildStep", "build", "build_steps"]
