"""Wirecheck's command line and Discord adapter; imports only retrieval's public API."""

from importlib.metadata import PackageNotFoundError, version

try:
    # One version number: pyproject.toml's, as installed.
    __version__ = version("wirecheck")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
