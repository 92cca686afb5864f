"""Shared helpers for the benchmark scripts: medians of repeats and a plain table."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_time(fn: Callable[[], object], *, repeats: int = 7, min_time: float = 0.05) -> float:
    """Median wall time of ``fn()`` in seconds; each sample loops until ``min_time`` has passed."""
    fn()  # warm-up (numba compile, caches)
    samples = []
    for _ in range(repeats):
        n = 0
        t0 = time.perf_counter()
        while True:
            fn()
            n += 1
            elapsed = time.perf_counter() - t0
            if elapsed >= min_time:
                break
        samples.append(elapsed / n)
    return statistics.median(samples)


def fmt_time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:9.1f} us"
    if seconds < 1.0:
        return f"{seconds * 1e3:9.2f} ms"
    return f"{seconds:9.2f} s "


def print_table(title: str, rows: list[tuple[str, str, float, float | None]]) -> None:
    """Rows of (case, implementation, seconds, seconds of the losscape baseline or None)."""
    print(f"\n{title}")
    print(f"{'case':<34} {'implementation':<26} {'median':>12} {'vs losscape':>12}")
    print("-" * 88)
    for case, impl, t, base in rows:
        ratio = f"{t / base:10.1f}x" if base else ""
        print(f"{case:<34} {impl:<26} {fmt_time(t):>12} {ratio:>12}")
