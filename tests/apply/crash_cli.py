"""The dhsync command, with a second Ctrl-C arriving just as it says `interrupted` (a user pressing
Ctrl-C again while the first one is being handled):

    python crash_cli.py ARGS…     as `dhsync ARGS…`
"""

from __future__ import annotations

import os
import signal
from typing import Any

import click

from dhsync.cli.main import main

_echo = click.echo


def echo(message: Any = None, *args: Any, **kwargs: Any) -> None:
    _echo(message, *args, **kwargs)
    if isinstance(message, str) and message.strip() == "interrupted":
        os.kill(os.getpid(), signal.SIGINT)


if __name__ == "__main__":
    click.echo = echo
    main()
