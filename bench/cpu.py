"""CPU seconds spent by groups of processes, from /proc: where a benchmark's CPU goes (server,
PostgreSQL backends, load generator), per request, whatever else the shared machine runs."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")

Pids = Callable[[], Iterable[int]]


def process_seconds(pid: int) -> float | None:
    """utime + stime of `pid`, or None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # the name may hold spaces; fields after it do not
    return (int(fields[11]) + int(fields[12])) / TICK


def process_tree(root: int) -> list[int]:
    """`root` and its descendants (gunicorn's arbiter and workers)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


class CpuMeter:
    """CPU seconds of each group between `start()` and `stop()`; processes that appear in
    between count from zero, processes that end in between are lost (pooled ones do not)."""

    def __init__(self, groups: dict[str, Pids]) -> None:
        self.groups = groups
        self._before: dict[str, dict[int, float]] = {}

    def _sample(self) -> dict[str, dict[int, float]]:
        sample: dict[str, dict[int, float]] = {}
        for name, pids in self.groups.items():
            seconds = {pid: process_seconds(pid) for pid in pids()}
            sample[name] = {pid: s for pid, s in seconds.items() if s is not None}
        return sample

    def start(self) -> None:
        self._before = self._sample()

    def stop(self) -> dict[str, float]:
        after = self._sample()
        return {
            name: sum(s - self._before.get(name, {}).get(pid, 0.0) for pid, s in now.items())
            for name, now in after.items()
        }
