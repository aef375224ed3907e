"""Records and errors every layer shares: results, the two error families, files on disk,
temporary folders (``tempdirs``) and the BLAS thread count (``blas``).

Imports nothing of the engine but ``i18n`` (error messages are translated).
"""
