"""Reading what students hand in: submission folders, zips and notebooks.

Everything here is untrusted data: names become ids or are refused, never
paths or code. May import ``core`` and ``i18n`` only.
"""
