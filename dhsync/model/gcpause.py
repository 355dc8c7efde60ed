"""Pausing Python's cyclic garbage collector around bulk decoding.

Loading a repository or reading a project's state allocates 10^5-10^6 small containers that hold no
reference cycles; the cyclic collector would rescan them again and again (measured: 30% of a spec load,
3-4x a bulk JSON decode) and can free nothing. Reference counting still frees everything as usual.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            _age_survivors()
            gc.enable()


def _age_survivors() -> None:
    """Move what the pause allocated straight to the oldest generation: otherwise the first collections
    after it scan all of it (about a fifth of a warm repository load) to find nothing. Cycles made during
    the pause go with them and are freed by the next full collection. A freeze the program made itself
    is left alone."""
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()
