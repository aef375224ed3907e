"""Catalogue entries: pages (data only; see i18n.py)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {}
