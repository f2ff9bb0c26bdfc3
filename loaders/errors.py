"""One error type for every bad input: it names the file, the row and the column."""
from __future__ import annotations


class LoadError(ValueError):
    """A source file (or upload) cannot be loaded. Nothing has been written when this is raised."""

    def __init__(self, file: str, message: str, row: int | None = None, column: str | None = None):
        self.file = file
        self.row = row
        self.column = column
        self.message = message
        where = [f"bestand '{file}'"]
        if row is not None:
            where.append(f"rij {row}")
        if column is not None:
            where.append(f"kolom '{column}'")
        super().__init__(", ".join(where) + f": {message}")
