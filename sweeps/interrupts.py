"""Ctrl-C and SIGTERM during a sweep: a request to stop, never a torn write.

While :class:`Interrupts` is active (in the main thread), the first SIGINT or SIGTERM
raises :class:`StopRequested` where the sweep is, unless it is committing results
(:meth:`Interrupts.deferred`): then it is raised when the commit ends. Once the sweep is
stopping (:meth:`Interrupts.stopping`), further signals are ignored, so a second Ctrl-C
(or the one ``uv run`` passes on) cannot abort the final write.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time

SIGNALS = (signal.SIGINT, signal.SIGTERM)
#: Seconds after a stop during which further signals are ignored (the same burst).
LATE_SECONDS = 2.0


class StopRequested(KeyboardInterrupt):
    """Raised inside the sweep when a stop was asked for; ``signum`` is the signal."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class Interrupts:
    """Turns SIGINT and SIGTERM into :class:`StopRequested` at safe points."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self._holding = 0
        self._stopping = False
        self._previous: dict[int, object] = {}

    def __enter__(self) -> Interrupts:
        if threading.current_thread() is threading.main_thread():
            for signum in SIGNALS:
                self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        if self.signum is not None and self._previous:
            self._swallow_late(dict(self._previous))
        else:
            for signum, handler in self._previous.items():
                signal.signal(signum, handler)
        self._previous.clear()

    @staticmethod
    def _swallow_late(previous: dict) -> None:
        """After a stop, signals of the same burst (a repeated Ctrl-C, the one ``uv run``
        passes on) may still arrive while the caller winds down: ignore them for
        :data:`LATE_SECONDS`; a later one restores the previous handlers and goes to them."""
        deadline = time.monotonic() + LATE_SECONDS

        def late(signum, frame):
            if time.monotonic() < deadline:
                return
            for number, handler in previous.items():
                signal.signal(number, handler)
            handler = previous.get(signum)
            if callable(handler):
                handler(signum, frame)
            elif handler != signal.SIG_IGN:
                signal.raise_signal(signum)

        for signum in previous:
            signal.signal(signum, late)

    def _handle(self, signum: int, frame) -> None:
        first = self.signum is None
        if first:
            self.signum = signum
        if first and not self._holding and not self._stopping:
            self._stopping = True  # raised once; later signals are ignored
            raise StopRequested(signum)

    @contextlib.contextmanager
    def holding(self):
        """A section a signal must not interrupt: a signal is only recorded (:meth:`check`)."""
        self._holding += 1
        try:
            yield
        finally:
            self._holding -= 1

    @contextlib.contextmanager
    def deferred(self):
        """A section a signal must not interrupt (a commit): it is raised after it."""
        with self.holding():
            yield
        self.check()

    def check(self) -> None:
        """Raise the stop a signal asked for while it was held (once)."""
        if self.signum is not None and not self._holding and not self._stopping:
            self._stopping = True
            raise StopRequested(self.signum)

    def stopping(self) -> None:
        """From now on every signal is ignored (the sweep is writing its last state)."""
        self._stopping = True


class SweepInterrupted(KeyboardInterrupt):
    """A sweep stopped by SIGINT or SIGTERM: its finished runs are kept (``report``, a
    :class:`sweeps.runner.SweepReport`); the message says how to continue."""

    def __init__(self, report, signum: int, resume: str) -> None:
        self.report, self.signum = report, signum
        kept = report.done + report.failed
        super().__init__(
            f"interrupted ({signal.Signals(signum).name}): {kept} of {report.planned} runs "
            f"kept in {report.folder}; continue with: {resume}"
        )
