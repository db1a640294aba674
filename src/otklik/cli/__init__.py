"""The `otklik` command line."""

from otklik.cli.main import cli, main

__all__ = ["cli", "main"]
