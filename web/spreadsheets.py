"""Text written into a file a spreadsheet may open."""

# Spreadsheets run a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Prefix a quote to text a spreadsheet would otherwise evaluate (CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


_FORMULA_FIRST = frozenset(FORMULA_STARTS)


def neutralise_row(row):
    """`neutralise()` on each value of a row, as cheaply as a CSV of 100,000 rows needs."""
    return [
        "'" + value if value.__class__ is str and value[:1] in _FORMULA_FIRST else value
        for value in row
    ]


def restore(value):
    """The text `neutralise()` wrote, read back: the quote it added is dropped, so an
    export imported again keeps the original text."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value
