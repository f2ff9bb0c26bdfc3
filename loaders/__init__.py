"""Loaders: read the shipped source files, validate them, and write the SQL database.

Pages never read files or write SQL; they go through :mod:`loaders.db`.
"""
