"""The limits every import checks before it parses a file (README, "Limits")."""

from django.conf import settings
from django.utils.translation import gettext as _


def upload_problem(upload, *, text: bool) -> str:
    """Why `upload` is too large to import ("" when it is not): more than
    IMPORT_MAX_BYTES, or for a text file (CSV) more than IMPORT_MAX_ROWS lines.
    Checked on the raw bytes, so a file over the limit is never parsed."""
    megabytes = settings.IMPORT_MAX_BYTES / 1_000_000
    if upload.size > settings.IMPORT_MAX_BYTES:
        return _(
            "The file is %(size).1f MB; an import takes at most %(limit)g MB. "
            "Split it into smaller files and import them one after another."
        ) % {"size": upload.size / 1_000_000, "limit": megabytes}
    if text:
        lines = sum(chunk.count(b"\n") for chunk in upload.chunks())
        upload.seek(0)
        if lines > settings.IMPORT_MAX_ROWS + 1:  # the header row is not counted
            return _(
                "The file has %(rows)d rows; an import takes at most %(limit)d. "
                "Split it into smaller files and import them one after another."
            ) % {"rows": lines - 1, "limit": settings.IMPORT_MAX_ROWS}
    return ""


def read_problem(error, *, file_format: str) -> str:
    """What to do about a file that could not be read, instead of the exception's name."""
    if isinstance(error, UnicodeDecodeError):
        row = error.object[: error.start].count(b"\n") + 1
        return _(
            "Row %(row)d is not UTF-8 text. Save the file as “CSV UTF-8” (in Excel: "
            "Save as, then CSV UTF-8), or upload it as XLSX."
        ) % {"row": row}
    return _(
        "The file could not be read as %(format)s (%(error)s). Check that the format "
        "chosen matches the file, and that it has a header row."
    ) % {"format": file_format, "error": str(error)[:200] or type(error).__name__}
