"""This package's name and version as it tells the broker in its Hello (docs/PROTOCOL.md §9.1).

Keep ``__version__`` equal to pyproject.toml's version (a test checks it). Constants only.
"""
from __future__ import annotations

CLIENT_NAME = "bitbroker-python"
__version__ = "0.1.0"
