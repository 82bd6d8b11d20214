"""Sample data: a small CSV, parsed and previewed before it is accepted."""

import csv
import io

from django.conf import settings
from django.utils.translation import gettext as _

from accounts.exceptions import DomainError

PREVIEW_ROWS = 20
MAX_COLUMNS = 100


def parse_sample(upload) -> dict:
    """Parse an uploaded CSV; return ``{"header": [...], "rows": [[...]], "row_count": n}``.

    Raises DomainError with a message saying what is wrong.
    """
    if upload.size > settings.SAMPLE_MAX_BYTES:
        raise DomainError(
            _("The sample file is %(size)s KB; the limit is %(limit)s KB.")
            % {"size": upload.size // 1024, "limit": settings.SAMPLE_MAX_BYTES // 1024},
            field="sample_file",
        )
    raw = upload.read()
    upload.seek(0)
    if b"\x00" in raw:
        raise DomainError(_("The sample is not a text CSV file."), field="sample_file")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DomainError(_("The sample must be encoded in UTF-8 or GB18030."), field="sample_file")
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        raise DomainError(_("The sample is not valid CSV: %(error)s") % {"error": exc}, field="sample_file") from exc
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if len(rows) < 2:
        raise DomainError(_("The sample needs a header row and at least one data row."), field="sample_file")
    header = [cell.strip() for cell in rows[0]]
    if len(header) > MAX_COLUMNS:
        raise DomainError(_("The sample has more than %(max)s columns.") % {"max": MAX_COLUMNS}, field="sample_file")
    if any(not cell for cell in header):
        raise DomainError(_("Every column of the header row needs a name."), field="sample_file")
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise DomainError(
                _("Row %(row)s has %(found)s fields; the header has %(expected)s.")
                % {"row": number, "found": len(row), "expected": len(header)},
                field="sample_file",
            )
    return {"header": header, "rows": rows[1 : PREVIEW_ROWS + 1], "row_count": len(rows) - 1, "all_rows": rows[1:]}
