"""The app as production runs it: gunicorn in its own process group, on a listening socket the
test owns (bound to port 0 once, handed to each start), so it can be killed with SIGKILL and
started again on the same address."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from types import TracebackType

import requests

from tests.conftest import TEST_API_KEY, TEST_API_SECRET, TEST_ENCRYPTION_KEY

START_TIMEOUT = 30.0
LAUNCH = """
import sys
from shopify_app import create_app
from shopify_app.server import run_gunicorn
run_gunicorn(create_app(), bind="fd://" + sys.argv[1], workers=1, threads=4)
"""


class AppProcess:
    def __init__(self, database_url: str, log_path: str, **env: str) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=128)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SHOPIFY_API_KEY": TEST_API_KEY,
            "SHOPIFY_API_SECRET": TEST_API_SECRET,
            "TOKEN_ENCRYPTION_KEY": TEST_ENCRYPTION_KEY,
            **env,
        }
        self._log_path = log_path
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        fd = self._listener.fileno()
        with open(self._log_path, "ab") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-c", LAUNCH, str(fd)],
                env=self._env,
                pass_fds=(fd,),
                stdout=log,
                stderr=log,
                start_new_session=True,  # its own process group: master and worker die together
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"the app exited at start; see {self._log_path}")
            try:
                with requests.get(f"{self.url}/healthz", timeout=2) as answer:
                    if answer.status_code == 200:
                        return
            except requests.RequestException:
                pass
        raise RuntimeError(f"the app did not answer /healthz in {START_TIMEOUT} s")

    def kill(self) -> None:
        """SIGKILL to the master and its worker: no cleanup, no finished requests."""
        if self._process is not None and self._process.poll() is None:
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait(timeout=10)
        self._process = None

    def __enter__(self) -> AppProcess:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.kill()
        self._listener.close()
