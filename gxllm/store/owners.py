"""Which process a run belongs to, and whether that process still runs.

An owner is ``HOST/PID/START``: the machine's name, the process id and the
process's start time, so a process id the system gave again to a later
process does not pass for the one that died. A process on another machine
cannot be looked at from here and is taken to be running.
"""

from __future__ import annotations

import socket

import psutil


def _started(process: psutil.Process) -> str:
    return f"{process.create_time():.2f}"


def this_process() -> str:
    """The owner string of the calling process."""
    process = psutil.Process()
    return f"{socket.gethostname()}/{process.pid}/{_started(process)}"


def is_running(owner: str | None) -> bool:
    """Whether the process ``owner`` names is still running (an owner of None is a run from before
    owners were recorded: not running)."""
    if owner is None:
        return False
    host, pid, started = owner.rsplit("/", 2)
    if host != socket.gethostname():
        return True
    try:
        process = psutil.Process(int(pid))
        return _started(process) == started and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
