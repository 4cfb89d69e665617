"""What the benchmarks share: medians, the machine's load, CPU time of this process and of
its children, and the peak of the summed resident memory of this process and all its
children (sampled).

The children's CPU time is the larger of what the reaped children report (``getrusage``)
and the sum of the last CPU times sampled of every descendant seen (worker processes of a
forkserver or a Dask nanny are not reaped by this process); a descendant's last 0.2 s
before it exits may be missed."""

from __future__ import annotations

import os
import resource
import statistics
import threading
import time

import psutil


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def median_time(function, repeats: int) -> float:
    """Median wall-clock seconds of ``function()`` over ``repeats`` calls."""
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        function()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def cpu_seconds() -> tuple[float, float]:
    """CPU time (user + system) of this process and of its reaped children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


class PeakMemory:
    """Samples the summed resident memory of this process and all its children."""

    def __init__(self, every: float = 0.2) -> None:
        self.every, self.peak, self._stop = every, 0, threading.Event()
        self.cpu: dict[int, float] = {}  # descendant pid -> last CPU seconds sampled
        self.baseline = self._descendant_cpu()  # what the descendants used before
        self._thread = threading.Thread(target=self._sample, daemon=True)

    @staticmethod
    def _descendant_cpu() -> dict[int, float]:
        cpu = {}
        for process in psutil.Process().children(recursive=True):
            try:
                times = process.cpu_times()
                cpu[process.pid] = times.user + times.system
            except psutil.Error:
                pass
        return cpu

    def descendant_seconds(self) -> float:
        """CPU seconds the descendants used while sampled."""
        return sum(last - self.baseline.get(pid, 0.0) for pid, last in self.cpu.items())

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for process in (me, *me.children(recursive=True)):
                try:
                    total += process.memory_info().rss
                    if process.pid != me.pid:
                        times = process.cpu_times()
                        self.cpu[process.pid] = times.user + times.system
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            self._stop.wait(self.every)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


class Measured:
    """Wall time, CPU time (here and in reaped workers) and peak memory of a block."""

    def __enter__(self) -> Measured:
        self.cpu0 = cpu_seconds()
        self.memory = PeakMemory().__enter__()
        self.began = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self.began
        self.memory.__exit__()
        own, children = cpu_seconds()
        self.cpu_here = own - self.cpu0[0]
        self.cpu_workers = max(children - self.cpu0[1], self.memory.descendant_seconds())

    def __str__(self) -> str:
        return (
            f"{self.seconds:.1f} s wall, CPU {self.cpu_here:.1f} s here + "
            f"{self.cpu_workers:.1f} s in workers, peak memory "
            f"{self.memory.peak / 2**20:.0f} MB (all processes)"
        )
