"""Timing shared by the Python benchmarks (verify_bench.py, scan_bench.py)."""
import statistics
import time


def median_of(repeat, call):
    """The median wall time, in seconds, of `repeat` calls, each call's result dropped
    within its time."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
