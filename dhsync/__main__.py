"""`python -m dhsync` is the `dhsync` command."""

from __future__ import annotations

from dhsync.cli.main import main

if __name__ == "__main__":
    main()
