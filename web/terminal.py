"""Progress bars for long commands: on a terminal only, so that logs, pipes and
cron mail stay free of them."""

import sys
from collections.abc import Callable, Iterable

from tqdm import tqdm


def on_terminal() -> bool:
    return sys.stderr.isatty()


def progress(
    iterable: Iterable | None = None,
    *,
    desc: str,
    total: int | Callable[[], int] | None = None,
    unit: str = "item",
) -> tqdm:
    """`iterable` with a bar on standard error when it is a terminal; otherwise
    the same items, silently. `total` may be a function (say a count query), only
    called when a bar is shown."""
    shown = on_terminal()
    if callable(total):
        total = total() if shown else None
    return tqdm(
        iterable,
        desc=desc,
        total=total,
        unit=unit,
        file=sys.stderr,
        disable=not shown,
        leave=False,
        dynamic_ncols=True,
    )
