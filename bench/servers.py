"""Starting the processes a benchmark measures: `sightline serve` on a port of the system's
choosing (port 0, read back from gunicorn's log), `sightline worker`, devstore; each in its own
process group, stopped with it. Shared by bench/webhooks.py and bench/capi.py."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import requests

SIGHTLINE = str(Path(sys.executable).parent / "sightline")
ENCRYPTION_KEY = "YmVuY2gtd2ViaG9vay1rZXktbm90LXNlY3JldCEhISE="


def environment(database_url: str, secret: str, **extra: str) -> dict[str, str]:
    """This process's environment for a sightline command against `database_url`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "SIGHTLINE"))}
    env.update(
        DATABASE_URL=database_url,
        SHOPIFY_API_SECRET=secret,
        SHOPIFY_API_KEY="bench-api-key",
        TOKEN_ENCRYPTION_KEY=ENCRYPTION_KEY,
        **extra,
    )
    return env


@contextmanager
def process(
    command: list[str], env: dict[str, str], pass_fds: tuple[int, ...] = (), log: bool = False
) -> Iterator[subprocess.Popen]:  # type: ignore[type-arg]
    """`command` running for the block; with `log`, its stderr is a pipe to read."""
    child = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE if log else subprocess.DEVNULL,
        text=True,
        pass_fds=pass_fds,
        start_new_session=True,  # its own process group: gunicorn's workers stop with it
    )
    try:
        yield child
    finally:
        os.killpg(child.pid, signal.SIGTERM)
        child.wait(timeout=30)


def listening_url(server: subprocess.Popen[str]) -> str:
    """gunicorn binds port 0 and logs where: `Listening at: http://127.0.0.1:<port>`."""
    assert server.stderr is not None
    for line in server.stderr:
        match = re.search(r"Listening at: (http://\S+)", line)
        if match:
            # Keep draining its log, or gunicorn blocks once the pipe is full.
            threading.Thread(target=server.stderr.read, daemon=True).start()
            return match.group(1)
    raise RuntimeError("sightline serve did not come up")


def wait_until_up(url: str, child: subprocess.Popen, what: str) -> None:  # type: ignore[type-arg]
    """Until `url` answers (polled, with a deadline), or `child` exits."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1).close()
            return
        except requests.ConnectionError:
            if child.poll() is not None:
                raise RuntimeError(f"{what} exited") from None
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not come up")


class Served:
    """A running `sightline serve` (and optional worker): its URL and its process groups."""

    def __init__(self, url: str, groups: list[int]) -> None:
        self.url = url
        self.groups = groups

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by every process of these groups."""
        return sum(_cpu_seconds(pid) for pid in _members(self.groups))


@contextmanager
def served(
    env: dict[str, str], workers: int, threads: int, worker_nice: int | None = None
) -> Iterator[Served]:
    """`sightline serve` (migrated first) for the block. With `worker_nice`, webhook
    processing is left to one `sightline worker` at that CPU niceness (WEBHOOKS_IN_SERVER=0)."""
    if worker_nice is not None:
        env = {**env, "WEBHOOKS_IN_SERVER": "0"}
    subprocess.run([SIGHTLINE, "migrate"], env=env, check=True, capture_output=True)
    serve = [SIGHTLINE, "serve", "--host", "127.0.0.1", "--port", "0"]
    serve += ["--workers", str(workers), "--threads", str(threads)]
    with ExitStack() as stack:
        server = stack.enter_context(process(serve, env, log=True))
        groups = [server.pid]
        if worker_nice is not None:
            nice = ["nice", "-n", str(worker_nice), SIGHTLINE, "worker"]
            groups.append(stack.enter_context(process(nice, env)).pid)
        url = listening_url(server)
        wait_until_up(f"{url}/healthz", server, "sightline serve")
        yield Served(url, groups)


def _members(groups: list[int]) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.getpgid(int(entry)) in groups:
                    pids.append(int(entry))
            except ProcessLookupError:
                pass
    return pids


def _cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    # utime and stime are fields 14 and 15 of stat(5); here 0-based after the command name.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
