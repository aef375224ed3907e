"""Rendering results for people and platforms: text, pages, plots, CSV, Gradescope.

Reads ``core.results`` records; never grades. The HTML pages are Jinja2
templates in ``templates/`` (see ``pages``), which a course may override.
May import ``core`` and ``i18n``.
"""
