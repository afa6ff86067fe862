"""The knowledge base: what ``commensura build`` puts into a store."""

from registry.kb.build import BuildReport, BuildStep, build, build_steps

__all__ = ["BuildReport", "BuildStep", "build", "build_steps"]
