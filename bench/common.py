"""Shared helpers for the benchmarks: timing calls and printing percentiles."""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def pick(fraction: float) -> float:
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    return {"p50": statistics.median(ordered), "p95": pick(0.95), "p99": pick(0.99)}


async def timed(call: Callable[[], Awaitable[object]], repeat: int) -> list[float]:
    """Milliseconds per call, `repeat` calls."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def show(label: str, samples: list[float]) -> dict[str, float]:
    figures = percentiles(samples)
    print(f"  {label:<38} p50 {figures['p50']:7.3f} ms   p95 {figures['p95']:7.3f} ms   p99 {figures['p99']:7.3f} ms",
          flush=True)
    return figures
