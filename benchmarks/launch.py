"""Starts one command and reports what it cost: wall time from spawn to exit, CPU, and max RSS.

    python benchmarks/launch.py RESULT_FILE COMMAND [ARG ...]

Why a launcher: a child's max RSS (`ru_maxrss`) starts from the memory of the process that spawned it,
because CPython and glibc spawn with vfork, so the child's peak would include everything the benchmark
harness holds. Spawned from this small process, the figure is the command's own (or this launcher's,
about 10 MiB, whichever is larger). The command inherits this process's stdout, stderr, folder and
environment. Self-contained: it is run by path.
"""

from __future__ import annotations

import json
import os
import sys
import time


def main(argv: list[str]) -> int:
    result, command = argv[0], argv[1:]
    start = time.perf_counter()
    pid = os.posix_spawn(command[0], command, os.environ)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    with open(result, "w", encoding="utf-8") as out:
        json.dump({"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "max_rss_kib": usage.ru_maxrss,
                   "returncode": os.waitstatus_to_exitcode(status)}, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
