"""Reading the CSV files users hand to Geo-R: one place for opening, decoding and number parsing,
so every command reports a missing file, a folder or a non-UTF-8 file the same way."""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import IO

from geor.engine.errors import BadInput


class CsvFileError(BadInput):
    """The file cannot be read as a CSV at all; the message names it."""


def open_csv(path: Path) -> tuple[IO[str], csv.DictReader[str], list[str]]:
    """(open handle, reader, header) of a UTF-8 CSV (a BOM is fine); the caller closes the handle."""
    path = Path(path)
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except FileNotFoundError:
        raise CsvFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CsvFileError(f"{path}: is a folder, expected a CSV file") from None
    reader = csv.DictReader(handle)
    try:
        header = list(reader.fieldnames or [])
    except (UnicodeDecodeError, csv.Error) as exc:
        handle.close()
        raise CsvFileError(f"{path}: not a readable UTF-8 CSV file ({exc})") from None
    return handle, reader, header


def parse_number(text: str | None) -> float:
    """A cell as a float; NaN when empty or not a number (callers report it per row)."""
    try:
        return float(text) if text not in (None, "") else math.nan
    except ValueError:
        return math.nan
