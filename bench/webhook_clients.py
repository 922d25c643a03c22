"""The load generator of bench/webhooks.py: closed loop (N clients, each sending as soon as its
previous delivery was answered) and open loop (delivery i sent at t0 + i / rate, its latency
measured from that scheduled time, so a server that falls behind cannot hide it). A 5xx is sent
again, as Shopify would. Each client process also reports the CPU time it used, so the share
of the two cores the generator itself takes is known."""

from __future__ import annotations

import http.client
import multiprocessing
import queue
import resource
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

from bench.webhook_load import Prepared

CLIENT_PROCESSES = 5  # one Python process cannot keep many connections busy without its GIL
OPEN_LOOP_THREADS = 40  # per process: enough that a slow answer does not delay later sends
MAX_TRIES = 9  # Shopify: the first try and 8 retries


@dataclass
class Run:
    latencies: list[float]  # ms, every delivery (closed loop: every request)
    wall: float  # s
    retried: int  # requests answered 5xx (not stored) and sent again
    cpu: float  # s of CPU the load generator's processes used
    elapsed: float  # s from the first send to the last answer
    schedule_end: float = 0.0  # open loop: wall-clock time of the last scheduled send

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.wall

    @property
    def generator_cores(self) -> float:
        return self.cpu / self.elapsed


Part = tuple[list[float], int, float]  # one process's latencies, retries, CPU seconds


def closed_loop(url: str, deliveries: list[Prepared], concurrency: int) -> Run:
    """Send every delivery with `concurrency` keep-alive clients over a few processes."""
    processes = max(1, min(CLIENT_PROCESSES, concurrency))
    chunks = [(url, deliveries[i::processes], concurrency // processes) for i in range(processes)]
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        parts = pool.starmap(_closed_client, chunks)
    elapsed = time.perf_counter() - started
    return _run(parts, elapsed, elapsed)


def open_loop(url: str, deliveries: list[Prepared], rate: float) -> Run:
    """Send delivery i at t0 + i / rate from a few processes with many threads each."""
    start_at = time.time() + 1.0  # every process starts its schedule on the same clock
    chunks = [(url, deliveries, rate, start_at, k) for k in range(CLIENT_PROCESSES)]
    with multiprocessing.get_context("fork").Pool(CLIENT_PROCESSES) as pool:
        parts = pool.starmap(_scheduled_client, chunks)
    run = _run(parts, len(deliveries) / rate, time.time() - start_at)
    run.schedule_end = start_at + run.wall
    return run


def _run(parts: list[Part], wall: float, elapsed: float) -> Run:
    return Run(
        [ms for latencies, _, _ in parts for ms in latencies],
        wall,
        sum(retried for _, retried, _ in parts),
        sum(cpu for _, _, cpu in parts),
        elapsed,
    )


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _closed_client(url: str, deliveries: list[Prepared], threads: int) -> Part:
    local = threading.local()
    lock = threading.Lock()
    latencies: list[float] = []
    retried = 0

    def one(delivery: Prepared) -> None:
        nonlocal retried
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
        for _ in range(MAX_TRIES):
            start = time.perf_counter()
            response = session.post(
                f"{url}/webhooks", data=delivery.body, headers=delivery.headers, timeout=10
            )
            response.close()
            with lock:
                latencies.append((time.perf_counter() - start) * 1000)
            if response.status_code == 200:
                return
            if response.status_code < 500:
                raise RuntimeError(f"delivery refused with {response.status_code}")
            with lock:
                retried += 1
        raise RuntimeError("delivery never acknowledged")

    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(one, deliveries))
    return latencies, retried, _cpu()


def _scheduled_client(
    url: str, deliveries: list[Prepared], rate: float, start_at: float, k: int
) -> Part:
    parts = urlsplit(url)
    todo: queue.SimpleQueue[int] = queue.SimpleQueue()
    for i in range(k, len(deliveries), CLIENT_PROCESSES):
        todo.put(i)
    latencies: list[float] = []
    lock = threading.Lock()
    retried = 0

    def connect() -> http.client.HTTPConnection:
        return http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)

    def worker() -> None:
        nonlocal retried
        conn = connect()
        while True:
            try:
                i = todo.get_nowait()
            except queue.Empty:
                break
            scheduled = start_at + i / rate
            delay = scheduled - time.time()
            if delay > 0:
                time.sleep(delay)  # the schedule itself, not a wait for a condition
            delivery = deliveries[i]
            for _ in range(MAX_TRIES):
                try:
                    conn.request("POST", "/webhooks", body=delivery.body, headers=delivery.headers)
                    response = conn.getresponse()
                    response.read()
                    status = response.status
                except (OSError, http.client.HTTPException):
                    conn.close()
                    conn = connect()
                    status = 599
                if status == 200:
                    break
                if status < 500:
                    raise RuntimeError(f"delivery refused with {status}")
                with lock:
                    retried += 1
            with lock:
                latencies.append((time.time() - scheduled) * 1000)
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(OPEN_LOOP_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, retried, _cpu()
