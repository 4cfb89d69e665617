"""Finished batches on their way to disk: buffered, then committed as one shard.

:class:`ShardWriter` commits every ``commit_seconds`` (2 s by default; or every
``shard_runs`` runs), so a kill loses seconds of work, and a batch with trajectories at
once, as a shard of its own (a shard has one trajectory file, of one batch: one calendar
and one set of countries). Commits are never interrupted by a signal
(:meth:`Interrupts.deferred`). Worker processes on this machine write their batch's
trajectory file themselves (:func:`run_and_stage`), so the trajectories never pass
through the sweep's main process, which only syncs and renames the file.
"""

from __future__ import annotations

import time
from concurrent.futures import FIRST_COMPLETED, wait

import pandas as pd

from sweeps import engine
from sweeps.storage import StagedFile, staged_name
from sweeps.trajectories import write_block

#: Seconds of finished work buffered at most before it is committed.
COMMIT_SECONDS = 2.0


def run_and_stage(experiment, rows, keep, folder) -> engine.BatchResult:
    """``engine.run_batch``, then the batch's trajectories written into ``folder`` (the
    results folder's trajectories/) under a temporary name: what a worker process sharing
    the folder's file system returns is then a :class:`StagedFile`, not the arrays."""
    result = engine.run_batch(experiment, rows, keep)
    if result.trajectories is not None and len(result.trajectories):
        path = staged_name(folder)
        try:
            record = write_block(result.trajectories, path)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        result.trajectories = StagedFile(path, record)
    return result


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
    (or ``shard_runs`` runs; a batch with trajectories at once), signals deferred."""

    def __init__(self, store, manifest, shard_runs, commit_seconds, interrupts) -> None:
        self.store, self.manifest, self.interrupts = store, manifest, interrupts
        self.shard_runs, self.commit_seconds = shard_runs, commit_seconds
        self.buffer: list[engine.BatchResult] = []
        self.trajectories = None  # the buffered batch's trajectories (at most one batch)
        self.runs = self.buffered_failed = 0
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
        """Buffer a batch (committing first the buffered one with trajectories, if both
        have some); ``commit``: commit now if due (a batch with trajectories is due)."""
        kept = result.trajectories is not None and len(result.trajectories) > 0
        if kept and self.trajectories is not None:
            self.flush()
        self.buffer.append(result)
        self.runs += len(result.summaries) + len(result.failures)
        self.buffered_failed += len(result.failures)
        if kept:
            self.trajectories = result.trajectories
        if commit:
            self.commit_if_due()

    def commit_if_due(self) -> None:
        if self.buffer and (
            self.trajectories is not None
            or self.runs >= self.shard_runs
            or time.monotonic() - self.last >= self.commit_seconds
        ):
            self.flush()

    def flush(self) -> None:
        if not self.buffer:
            self.last = time.monotonic()
            return
        summaries = [r.summaries for r in self.buffer if len(r.summaries)]
        failures = [f for r in self.buffer for f in r.failures]
        frames = {
            "summaries": pd.concat(summaries, ignore_index=True) if summaries else None,
            "trajectories": self.trajectories,
            "failures": pd.DataFrame(failures) if failures else None,
        }
        done = frames["summaries"]["run_id"].tolist() if summaries else []
        with self.interrupts.deferred():
            self.manifest["counts"] = self.counts(self.manifest["counts"]["planned"])
            self.store.commit(self.manifest, frames, done, [f["run_id"] for f in failures])
            self.done += len(done)
            self.failed += len(failures)
            self.buffer, self.runs, self.buffered_failed = [], 0, 0
            self.trajectories = None
            self.last = time.monotonic()
