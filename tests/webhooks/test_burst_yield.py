"""The serving process's processing thread yields to bursts of acknowledgements: above the
rate it waits (at most DEFER_AT_MOST in a row), below it it never waits. A fake clock drives
the rate, so the test does not depend on the machine's speed."""

from __future__ import annotations

import pytest

from webhooks import background
from webhooks.background import (
    DEFER_ABOVE,
    DEFER_AT_MOST,
    RATE_SAMPLE_SECONDS,
    BackgroundProcessor,
)


class Clock:
    """time.monotonic and time.sleep for webhooks.background: each sleep lets `acks_per_sleep`
    acknowledgements arrive, for the first `burst_sleeps` sleeps (for ever when None)."""

    def __init__(
        self, processor: BackgroundProcessor, acks_per_sleep: int, burst_sleeps: int | None = None
    ) -> None:
        self.now = 1000.0
        self.sleeps = 0
        self.processor = processor
        self.acks_per_sleep = acks_per_sleep
        self.burst_sleeps = burst_sleeps

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps += 1
        self.now += seconds
        if self.burst_sleeps is None or self.sleeps <= self.burst_sleeps:
            self.processor._acks += self.acks_per_sleep


def clocked(
    monkeypatch: pytest.MonkeyPatch,
    processor: BackgroundProcessor,
    acks: int,
    burst: int | None = None,
) -> Clock:
    clock = Clock(processor, acks, burst)
    monkeypatch.setattr(background.time, "monotonic", clock.monotonic)
    monkeypatch.setattr(background.time, "sleep", clock.sleep)
    return clock


def rate_per_sleep(rate: float) -> int:
    return int(rate * RATE_SAMPLE_SECONDS)


def burst_under_way(clock: Clock, processor: BackgroundProcessor, rate: float) -> None:
    # The acknowledgements of the last sample interval, as if they had just come in.
    processor._ack_rate()
    clock.now += RATE_SAMPLE_SECONDS
    processor._acks += rate_per_sleep(rate)


def test_below_the_rate_processing_never_waits(monkeypatch):
    processor = BackgroundProcessor(defer_above=DEFER_ABOVE)
    clock = clocked(monkeypatch, processor, rate_per_sleep(150))
    burst_under_way(clock, processor, 150)  # 300/s over two serving processes

    processor._yield_to_burst()

    assert clock.sleeps == 0 and processor.deferred == 0


def test_above_the_rate_processing_waits_until_the_burst_ends(monkeypatch):
    processor = BackgroundProcessor(defer_above=DEFER_ABOVE)
    clock = clocked(monkeypatch, processor, rate_per_sleep(500), burst=20)
    burst_under_way(clock, processor, 500)

    processor._yield_to_burst()

    # 20 intervals of the burst, then one that measured it had ended.
    assert clock.sleeps == 21
    assert processor.deferred == pytest.approx(21 * RATE_SAMPLE_SECONDS)


def test_a_burst_that_does_not_end_still_gets_processed(monkeypatch):
    processor = BackgroundProcessor(defer_above=DEFER_ABOVE)
    clock = clocked(monkeypatch, processor, rate_per_sleep(2000))
    burst_under_way(clock, processor, 2000)

    processor._yield_to_burst()

    assert processor.deferred == pytest.approx(DEFER_AT_MOST, abs=RATE_SAMPLE_SECONDS)


def test_zero_turns_the_yield_off(monkeypatch):
    processor = BackgroundProcessor(defer_above=0)
    clock = clocked(monkeypatch, processor, rate_per_sleep(5000))
    burst_under_way(clock, processor, 5000)

    processor._yield_to_burst()

    assert clock.sleeps == 0
