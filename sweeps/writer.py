"""Finished batches on their way to disk: buffered, then committed as one shard.

:class:`ShardWriter` commits every ``commit_seconds`` (2 s by default; or every
``shard_runs`` runs, or two million trajectory rows), so a kill loses seconds of work;
commits are never interrupted by a signal (:meth:`Interrupts.deferred`).
"""

from __future__ import annotations

import time
from concurrent.futures import FIRST_COMPLETED, wait

import pandas as pd

from sweeps import engine
from sweeps.trajectories import arrow_table, nonempty

#: Seconds of finished work buffered at most before it is committed.
COMMIT_SECONDS = 2.0


def progress_bar(enabled: bool, total: int, initial: int, failed: int):
    if not enabled:
        return None
    from tqdm.auto import tqdm

    tqdm.monitor_interval = 0  # no monitor thread: worker processes may be forked later
    bar = tqdm(total=total, initial=initial, unit="run", smoothing=0.1, dynamic_ncols=True)
    bar.set_postfix(failed=failed)
    return bar


def collect(in_flight: set, writer: ShardWriter, bar) -> None:
    """Wait for a batch (at most until the next commit is due), hand finished batches to
    the writer; commit when due."""
    finished, _ = wait(in_flight, timeout=writer.due_in(), return_when=FIRST_COMPLETED)
    for future in finished:
        in_flight.discard(future)
        result = future.result()
        writer.add(result, commit=False)
        if bar is not None:
            bar.update(len(result.summaries) + len(result.failures))
            bar.set_postfix(failed=writer.failed + writer.buffered_failed)
    writer.commit_if_due()


class ShardWriter:
    """Buffers finished batches and commits them as one shard every ``commit_seconds``
    (or ``shard_runs`` runs, or two million trajectory rows), signals deferred."""

    def __init__(self, store, manifest, shard_runs, commit_seconds, interrupts) -> None:
        self.store, self.manifest, self.interrupts = store, manifest, interrupts
        self.shard_runs, self.commit_seconds = shard_runs, commit_seconds
        self.buffer: list[engine.BatchResult] = []
        self.runs = self.rows = self.buffered_failed = 0
        self.done = self.failed = 0  # committed
        self.last = time.monotonic()

    def counts(self, planned: int) -> dict[str, int]:
        return {"planned": planned, "done": self.done, "failed": self.failed}

    def due_in(self) -> float | None:
        """Seconds until the buffer must be committed (None: nothing buffered)."""
        if not self.buffer:
            return None
        return max(0.0, self.commit_seconds - (time.monotonic() - self.last))

    def add(self, result: engine.BatchResult, commit: bool = True) -> None:
        self.buffer.append(result)
        self.runs += len(result.summaries) + len(result.failures)
        self.buffered_failed += len(result.failures)
        self.rows += 0 if result.trajectories is None else len(result.trajectories)
        if commit:
            self.commit_if_due()

    def commit_if_due(self) -> None:
        if self.buffer and (
            self.runs >= self.shard_runs
            or self.rows >= 2_000_000
            or time.monotonic() - self.last >= self.commit_seconds
        ):
            self.flush()

    def flush(self) -> None:
        if not self.buffer:
            self.last = time.monotonic()
            return
        summaries = [r.summaries for r in self.buffer if len(r.summaries)]
        trajectories = nonempty(r.trajectories for r in self.buffer)
        failures = [f for r in self.buffer for f in r.failures]
        frames = {
            "summaries": pd.concat(summaries, ignore_index=True) if summaries else None,
            "trajectories": arrow_table(trajectories) if trajectories else None,
            "failures": pd.DataFrame(failures) if failures else None,
        }
        done = frames["summaries"]["run_id"].tolist() if summaries else []
        with self.interrupts.deferred():
            self.manifest["counts"] = self.counts(self.manifest["counts"]["planned"])
            self.store.commit(self.manifest, frames, done, [f["run_id"] for f in failures])
            self.done += len(done)
            self.failed += len(failures)
            self.buffer, self.runs, self.rows, self.buffered_failed = [], 0, 0, 0
            self.last = time.monotonic()
