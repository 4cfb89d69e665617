"""Executors for sweeps: anything with the ``concurrent.futures.Executor`` interface.

* :class:`InProcessExecutor`: runs each batch when it is submitted (no processes);
* :func:`process_executor`: a ``ProcessPoolExecutor`` (forkserver) over the local cores;
* :func:`dask_executor`: a Dask ``distributed`` client's executor, on a scheduler address
  or a ``LocalCluster``. Dask merges calls it considers identical; the sweep passes each
  batch's run ids and seeds in every call and submits with ``pure=False``.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.forkserver
import os
import signal
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor

#: How long to try to reach a Dask scheduler before giving up (OSError).
CONNECT_TIMEOUT = "20s"
#: Seconds each start-up task of a fork-server pool sleeps (longer than submitting them).
WORKER_START_TASK = 0.05
#: Seconds to wait for a terminated worker to exit before giving up on it.
WORKER_STOP_SECONDS = 5.0


class InProcessExecutor(Executor):
    """Run each submitted call at once, in this process; returns finished futures."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - delivered through the future
            future.set_exception(exc)
        return future


def default_workers() -> int:
    """Number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def os_threads() -> int:
    """Threads of this process as the OS sees them (native library pools included)."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:  # pragma: no cover - not on Linux
        return threading.active_count() + 1


def ignore_interrupts() -> None:
    """Worker initialiser: Ctrl-C in a terminal reaches every process of the group; only
    the sweep's main process acts on it (and stops its workers), so workers ignore it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold a Ctrl-C that arrives while worker processes start and deliver it afterwards
    to the handler that was installed before (the sweep's, which stops cleanly). Stopping
    the pool while a worker was half-started made that worker print a traceback (it could
    not open the pool's semaphores any more). Only the main thread handles signals."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: held.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if held:
            signal.raise_signal(signal.SIGINT)


def start_fork_server() -> None:
    """Start the fork server with SIGINT ignored: an ignored signal stays ignored across
    ``exec``, the server keeps that disposition and so does every worker it forks, from
    its first instruction (a handled one would be reset, and a Ctrl-C during the workers'
    imports would print their tracebacks). The parent ignores SIGINT only for the few
    milliseconds of the spawn."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        multiprocessing.forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, previous)


#: What the fork server imports before it forks workers: the engine, the metrics and the
#: serial kernel loaded (``sweeps.warm_workers``), so that workers start hot.
SERVER_PRELOAD = ["sweeps.engine", "sweeps.metrics", "sweeps.warm_workers"]
_server_started_early = False


def stop_worker_server() -> None:
    """Stop the fork server, once the pools it served are shut down, and wait for it to
    exit: a command then leaves no process behind when it returns (the server would exit
    by itself only once this process has exited). Uses the standard library's own stop of
    the server (``multiprocessing.forkserver``; private, in Python since 3.4)."""
    server = multiprocessing.forkserver._forkserver
    if getattr(server, "_forkserver_pid", None) is not None:
        server._stop()


def start_worker_server() -> None:
    """Start the fork server of :func:`process_executor`'s workers now, so that its imports
    and the kernel's loading run while this process still imports and prepares the sweep
    (the command line calls it first). The pool created later uses this server."""
    global _server_started_early
    multiprocessing.get_context("forkserver").set_forkserver_preload(SERVER_PRELOAD)
    start_fork_server()
    _server_started_early = True


def process_executor(workers: int | None = None) -> ProcessPoolExecutor:
    """Local worker processes (ignoring SIGINT: :func:`ignore_interrupts`). Forked from
    this process (started at once, the model already imported) while it runs a single
    thread and no fork server was started early (:func:`start_worker_server`); else from
    a forkserver, since forking a multi-threaded process (e.g. after Arrow started its
    pool) may deadlock."""
    workers = workers or default_workers()
    if (
        "fork" in multiprocessing.get_all_start_methods()
        and os_threads() == 1
        and not _server_started_early
    ):
        executor = ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=ignore_interrupts,
        )
        with interrupts_deferred():
            executor.submit(os.getpid).result()  # forks every worker now, before any thread
        return executor
    context = multiprocessing.get_context("forkserver")
    with interrupts_deferred():
        start_worker_server()  # returns at once if the command started it early
        executor = ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=ignore_interrupts
        )
        # a fork-server pool starts a worker per submission while none is idle: tasks that
        # outlast the submissions start them all now, so none is half-started at a Ctrl-C
        for future in [executor.submit(time.sleep, WORKER_START_TASK) for _ in range(workers)]:
            future.result()
    return executor


def abandon(executor: Executor, futures: Iterable[Future]) -> list[Future]:
    """Stop waiting for ``futures``: return those that finished with a result, cancel the
    rest and stop local worker processes still busy with them (a stopped sweep re-runs
    those batches on resume). A ProcessPoolExecutor is unusable afterwards."""
    finished, busy = [], []
    for future in futures:
        if future.done():
            if not future.cancelled() and future.exception() is None:
                finished.append(future)
        elif not future.cancel():
            busy.append(future)
    if busy and isinstance(executor, ProcessPoolExecutor):
        processes = list((getattr(executor, "_processes", None) or {}).values())
        for process in processes:
            with contextlib.suppress(OSError, AttributeError):
                process.terminate()
        for process in processes:
            with contextlib.suppress(OSError, AttributeError, ValueError):
                process.join(WORKER_STOP_SECONDS)
        release_result_pipe(executor)
    return finished


def release_result_pipe(executor: ProcessPoolExecutor) -> None:
    """Close this process's own copy of the pool's result pipe's sending end, once its
    workers are stopped. A worker stopped while it sent a large result leaves half a
    message in the pipe; the pool's reader thread would wait for the rest for ever (and
    the sweep with it, at shutdown). With no sending end left open, it reads end of file,
    marks the pool broken and exits. Uses a private attribute of ProcessPoolExecutor."""
    queue = getattr(executor, "_result_queue", None)
    with contextlib.suppress(AttributeError, OSError):
        queue._writer.close()


@contextlib.contextmanager
def dask_executor(scheduler: str = "local", workers: int | None = None) -> Iterator[Executor]:
    """A Dask executor: ``scheduler`` is an address (``tcp://host:8786``) or ``"local"``
    for a ``LocalCluster`` of ``workers`` single-threaded processes. Closed on exit."""
    from distributed import Client, LocalCluster

    cluster = None
    if scheduler == "local":
        cluster = LocalCluster(
            n_workers=workers or default_workers(),
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )
        client = Client(cluster)
    else:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT)
    try:
        yield client.get_executor(pure=False)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


@contextlib.contextmanager
def make_executor(workers: int | None = None, scheduler: str | None = None) -> Iterator[Executor]:
    """The executor the command line asks for: Dask if ``scheduler``, in-process if
    ``workers == 1``, else local processes (all cores by default)."""
    if scheduler:
        with dask_executor(scheduler, workers) as executor:
            yield executor
    elif workers == 1:
        yield InProcessExecutor()
    else:
        with process_executor(workers) as executor:
            yield executor


def describe(executor: Executor) -> dict[str, object]:
    """What the manifest records about an executor."""
    info: dict[str, object] = {"type": type(executor).__name__}
    workers = getattr(executor, "_max_workers", None)
    if workers:
        info["workers"] = workers
    client = getattr(executor, "_client", None)
    if client is not None:
        info["scheduler"] = client.scheduler.address
        info["workers"] = len(client.scheduler_info().get("workers", {}))
    return info
