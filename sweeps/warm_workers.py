"""Imported by the fork server of a sweep's worker pool (``sweeps.executors``) before it
forks any worker: loads the compiled kernel's serial loop (``model.kernel.warm``), the
variant worker processes run, so every worker starts with numba imported and the machine
code in memory instead of loading them in its first batch.

Only the serial variant: the parallel one would start numba's thread pool, and a process
with threads must not fork. The serial dispatcher's machine code is plain memory that a
forked child uses as is. A failure here only loses the head start: the worker then loads
the kernel itself and reports any error with its batch.
"""

from __future__ import annotations

import contextlib

with contextlib.suppress(Exception):
    from model.kernel import warm

    warm(parallel=(False,))
