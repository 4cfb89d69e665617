"""Local worker pools start cleanly under Ctrl-C: workers are born ignoring SIGINT, all of
them are started before a sweep begins, and an interrupt during start-up is delivered to
the sweep's own handler afterwards (no half-started worker, no traceback)."""

import signal
import subprocess
import sys
from pathlib import Path

from sweeps.executors import interrupts_deferred

ROOT = Path(__file__).resolve().parents[1]


def ignores_sigint(pid: int) -> bool:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigIgn:"):
            return bool(int(line.split()[1], 16) & (1 << (signal.SIGINT - 1)))
    raise AssertionError(f"no SigIgn line for process {pid}")


def test_an_interrupt_during_start_up_reaches_the_handler_afterwards():
    received = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        with interrupts_deferred():
            signal.raise_signal(signal.SIGINT)
            assert received == []  # held while the workers start
        assert received == [signal.SIGINT]
    finally:
        signal.signal(signal.SIGINT, previous)


def test_fork_server_pool_starts_every_worker_ignoring_interrupts():
    # in a fresh interpreter with threads running (Arrow's pool), the fork-server path
    code = (
        "import pyarrow.compute as pc, pyarrow as pa\n"
        "pc.sum(pa.array([1, 2]))\n"
        "import multiprocessing.forkserver as fs\n"
        "from sweeps.executors import process_executor\n"
        "pool = process_executor(2)\n"
        "print(fs._forkserver._forkserver_pid, *pool._processes)\n"
        "import sys; sys.stdout.flush()\n"
        "import time; time.sleep(2)\n"
        "pool.shutdown()\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    pids = [int(p) for p in child.stdout.readline().split()]
    try:
        server, workers = pids[0], pids[1:]
        assert len(workers) == 2  # every worker started before any batch is submitted
        assert ignores_sigint(server)
        assert all(ignores_sigint(pid) for pid in workers)
    finally:
        child.wait(timeout=60)
    assert child.returncode == 0


def test_this_process_keeps_its_interrupt_handler():
    before = signal.getsignal(signal.SIGINT)
    with interrupts_deferred():
        pass
    assert signal.getsignal(signal.SIGINT) is before


def test_a_half_sent_result_does_not_hang_a_stopped_sweep():
    """A worker stopped in the middle of sending a large result leaves half a message in
    the pool's result pipe: stopping the pool must still return (it used to wait for the
    rest of the message for ever)."""
    code = (
        "import os, struct, threading, time\n"
        "from sweeps.executors import abandon, process_executor\n"
        "pool = process_executor(2)\n"
        "busy = pool.submit(time.sleep, 60)\n"
        "time.sleep(0.5)\n"
        "os.write(pool._result_queue._writer.fileno(), struct.pack('!i', 10**6) + b'half')\n"
        "time.sleep(0.5)\n"
        "abandon(pool, [busy])\n"
        "stopped = threading.Event()\n"
        "threading.Thread(target=lambda: (pool.shutdown(), stopped.set()), daemon=True).start()\n"
        "print('stopped' if stopped.wait(30) else 'hung', flush=True)\n"
        "os._exit(0)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.stdout.strip() == "stopped", out.stderr


def fork_servers() -> set[int]:
    """Process ids of the running multiprocessing fork servers."""
    servers = set()
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if b"multiprocessing.forkserver" in cmdline.read_bytes():
                servers.add(int(cmdline.parent.name))
        except OSError:
            continue  # the process ended meanwhile
    return servers


def test_a_sweep_command_leaves_no_process_behind(tmp_path):
    """``latam-ai sweep`` on worker processes stops their fork server before it returns
    (it would otherwise outlive the command until it noticed the command had gone)."""
    before = fork_servers()
    smoke = ROOT / "experiments" / "examples" / "smoke.toml"
    command = [sys.executable, "-m", "experiments.cli", "sweep", str(smoke), "--out",
               str(tmp_path / "r"), "--workers", "2", "--no-progress", "--no-report"]  # fmt: skip
    log = tmp_path / "log"
    with open(log, "w") as out:  # a file, not a pipe: run() returns when the command does
        done = subprocess.run(command, cwd=ROOT, stdout=out, stderr=out, timeout=300)
    assert done.returncode == 0, log.read_text()
    assert fork_servers() - before == set()
