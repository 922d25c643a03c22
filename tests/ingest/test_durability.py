"""Over HTTP, against gunicorn: every event a reply counted as accepted is stored, even when
the server is killed with SIGKILL mid-stream; rejected events are named by index; and the
events Shopify's proxy delivers twice (a shopper's retry) are stored once."""

from __future__ import annotations

import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests

from models import Event
from tests.app_process import AppProcess
from tests.ingest.proxy_client import CHROME, SHOP, event, signed_path

SENDERS = 6
REQUESTS = 120
KILL_AFTER = 30  # replies before the kill


def post(app_url: str, body: dict, n: int = 0) -> requests.Response:  # type: ignore[type-arg]
    # One shopper address per request: the per-visitor rate limit is not what is tested.
    headers = {"User-Agent": CHROME, "Content-Type": "text/plain"}
    headers["X-Forwarded-For"] = f"203.0.{n // 250}.{n % 250 + 1}"
    return requests.post(
        app_url + signed_path("/proxy/track"),
        data=json.dumps(body).encode(),
        headers=headers,
        timeout=5,
    )


def test_accepted_events_survive_a_kill_9_and_rejections_name_their_index(
    db, database_url, tmp_path
):
    accepted: set[str] = set()
    lock = threading.Lock()
    enough = threading.Event()
    killed = threading.Event()

    def send(n: int, app_url: str) -> None:
        if killed.is_set():
            return
        good = [event(id=f"evt_{n:04d}_{j}_{uuid.uuid4().hex[:8]}") for j in range(9)]
        bad = event(id="bad id!")  # index 4: refused, the rest stored
        body = {"session_id": "sess_0123456789", "events": [*good[:4], bad, *good[4:]]}
        try:
            answer = post(app_url, body, n)
        except requests.RequestException:
            return  # the connection died with the server: nothing was promised
        if answer.status_code != 200:
            return
        reply = answer.json()
        assert reply["accepted"] == 9
        assert [r["index"] for r in reply["rejected"]] == [4]
        with lock:
            accepted.update(e["id"] for e in good)
            if len(accepted) >= KILL_AFTER * 9:
                enough.set()

    db.close()  # the server owns the writes; this process reads afterwards
    with AppProcess(database_url, str(tmp_path / "app.log")) as app:
        app.start()
        with ThreadPoolExecutor(SENDERS) as pool:
            futures = [pool.submit(send, n, app.url) for n in range(REQUESTS)]
            assert enough.wait(timeout=60), "too few replies before the kill"
            killed.set()
            app.kill()
            for future in futures:
                future.result()
        promised = set(accepted)

        # A shopper's retry of a batch already stored (same ids) is accepted and stored once.
        app.start()
        again = [event(id=event_id) for event_id in sorted(promised)[:9]]
        reply = post(app.url, {"events": again}).json()
        assert reply == {"accepted": 9, "rejected": []}
        app.kill()

    stored = [e.event_id for e in Event.select(Event.event_id).where(Event.app_id == SHOP)]
    assert promised <= set(stored)  # nothing a reply promised is lost
    assert len(stored) == len(set(stored))  # and nothing is stored twice
