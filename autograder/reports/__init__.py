"""Rendering results for people and platforms: text, pages, plots, CSV, Gradescope.

Reads ``core.results`` records; never grades. May import ``core`` and ``i18n``.
"""
