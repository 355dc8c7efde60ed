"""`dhsync logs RUN [PATH]`: what a run's handler printed; `--follow` streams it until the run ends.

What looks like a credential is masked on display too (README "Secrets"): logs written before runs masked
them as they were written still hold what the handler printed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import click

from dhsync.cli.common import EXIT_INTERRUPTED, finish
from dhsync.cli.runs_common import refer
from dhsync.cli.target import backend_option, opened, resolve
from dhsync.model.redact import redact_text
from dhsync.runtimes import follow_logs, read_logs
from dhsync.runtimes.local.logsink import PARTIAL_LIMIT, LogMask


def _masked_lines(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The chunks masked a line at a time, so a token split between two reads is still found."""
    mask, pending = LogMask(), b""
    for chunk in chunks:
        pending += chunk
        cut = pending.rfind(b"\n") + 1
        if not cut and len(pending) > PARTIAL_LIMIT:
            cut = mask.safe_cut(pending)
        if cut:
            yield mask(pending[:cut])
            pending = pending[cut:]
    if pending:
        yield mask(pending)


@click.command("logs", short_help="Print or follow the log of a run.")
@click.argument("run_ref", metavar="RUN")
@click.argument("path", default=".", type=click.Path(path_type=Path, file_okay=False))
@click.option("--follow", "-f", is_flag=True, help="keep printing what the run prints until it ends")
@backend_option
def logs(run_ref: str, path: Path, follow: bool, backend_url: str | None) -> None:
    """Print the log (stdout and stderr) of RUN: a run id, a unique id prefix of 6 or more characters,
    or a declared run's name (its newest run). PATH is the repository (default: here)."""
    from dhsync.sdk.run_lookup import find_run  # the SDK loads on use, not when `dhsync validate` starts

    target = resolve(path, backend_url)
    with opened(target) as backend:
        run = find_run(backend, target.project, run_ref)
        if not follow:
            click.echo(redact_text(read_logs(backend, run)), nl=False)
            return
        try:
            for chunk in _masked_lines(follow_logs(backend, run)):
                click.echo(chunk, nl=False)  # bytes: a chunk may end inside a character
        except KeyboardInterrupt:
            click.echo(f"\nstopped following; the run goes on (`dhsync stop {refer(run)}` stops it)", err=True)
            finish(EXIT_INTERRUPTED)
