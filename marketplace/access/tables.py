"""Reading a merchant's CSV upload row by row: the file is streamed, never read into memory whole."""

import csv
import io
from collections.abc import Iterator

from django.utils.translation import gettext as _

from accounts.exceptions import DomainError

MAX_COLUMNS = 100
MAX_COLUMN_NAME = 64
MAX_CELL = 2000


def read_header(binary) -> list[str]:
    """The checked header of a binary CSV file object, leaving the file open (rewind it before reading again)."""
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    try:
        return _header(csv.reader(text))
    finally:
        text.detach()  # a wrapper closes its file when collected; this one must stay open


def _header(reader) -> list[str]:
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration as exc:
        raise DomainError(_("The file is empty."), field="file") from exc
    except (UnicodeDecodeError, csv.Error) as exc:
        raise DomainError(_("The file is not a UTF-8 CSV file."), field="file") from exc
    if not header or any(not name for name in header):
        raise DomainError(_("Every column needs a name in the first line."), field="file")
    if len(set(header)) != len(header):
        raise DomainError(_("Two columns have the same name."), field="file")
    if len(header) > MAX_COLUMNS or any(len(name) > MAX_COLUMN_NAME for name in header):
        raise DomainError(
            _("At most %(n)s columns with names of at most %(len)s characters.")
            % {"n": MAX_COLUMNS, "len": MAX_COLUMN_NAME},
            field="file",
        )
    return header


def read_csv(binary) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header and an iterator of ``(line number, cells)`` over a binary file object (UTF-8, BOM allowed)."""
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    header = _header(reader)

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for cells in reader:
                if not any(cell.strip() for cell in cells):
                    continue
                if len(cells) != len(header):
                    raise DomainError(
                        _("Line %(line)s has %(got)s cells; the header has %(want)s.")
                        % {"line": reader.line_num, "got": len(cells), "want": len(header)},
                        field="file",
                    )
                if any(len(cell) > MAX_CELL for cell in cells):
                    raise DomainError(
                        _("Line %(line)s has a cell longer than %(max)s characters.")
                        % {"line": reader.line_num, "max": MAX_CELL},
                        field="file",
                    )
                yield reader.line_num, [cell.strip() for cell in cells]
        except (UnicodeDecodeError, csv.Error) as exc:
            raise DomainError(
                _("Line %(line)s cannot be read as UTF-8 CSV.") % {"line": reader.line_num}, field="file"
            ) from exc

    return header, rows()
