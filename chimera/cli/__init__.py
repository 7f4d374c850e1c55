"""The `chimera` command line: run campaigns, review escalations, manage services."""

from chimera.cli.main import app

__all__ = ["app"]
