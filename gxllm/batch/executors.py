"""Where the workers run: local processes (pebble) or a Ray cluster.

Both take the tasks and yield one :class:`Outcome` per task, in the order
they finish; the caller stores each as it comes. Neither schedules anything
itself: pebble's pool and Ray's actor pool do.

On a real Ray cluster
---------------------
1. Install the same gxllm (``pip install 'gxllm[ray]'``) on the head and on
   every worker node (or ship it with a runtime environment), and start Ray:
   ``ray start --head`` on one machine, ``ray start --address HEAD:6379`` on
   the others.
2. On the head (or any machine that can reach it and holds the inputs and the
   database): ``RAY_ADDRESS=auto gxllm batch reports/ --executor ray
   --workers 32 --db postgresql://...``. The inputs need not be on a shared
   file system: each file's bytes travel to the actor that extracts it.
   Only this process writes to the database, one transaction per document,
   so resuming after a crash works exactly as with local workers.
3. Each of the ``--workers`` actors is a :class:`RayExtractor` holding the
   whole pipeline with the settings of the batch (those of the machine that
   started it, not of the node); the model stages (OCR, and a language model
   when ``GXLLM_LLM_RUNTIME`` names one) load once per actor and stay loaded. When
   the cluster has GPUs, each actor asks Ray for an equal share of them (at
   most one each: ``--workers 8`` on 4 GPUs gives each actor half a GPU), so
   Ray places them on GPU nodes; without GPUs they ask for none. Models must
   be installed on every node beforehand (``gxllm models install``): nothing
   is downloaded at run time.
``--timeout`` applies to local workers only; on Ray a document that hangs
holds its actor until the batch is stopped (Ctrl-C), and a re-run goes on.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import Future, as_completed
from concurrent.futures import TimeoutError as FutureTimeout
from enum import StrEnum
from pathlib import Path
from typing import Any

from pebble import ProcessExpired, ProcessPool

from gxllm.batch.work import Worker, process_in_worker, start_worker
from gxllm.errors import ConfigError, one_line
from gxllm.settings import Settings
from gxllm.store import Outcome, Task


class ExecutorKind(StrEnum):
    local = "local"
    ray = "ray"


def process_pool(workers: int, settings: Settings) -> ProcessPool:
    """``workers`` worker processes on this machine, each extracting with ``settings``; a worker a
    task killed is replaced."""
    # Spawned, not forked: the parent holds a database connection that must not be copied.
    return ProcessPool(
        max_workers=workers, context=multiprocessing.get_context("spawn"), initializer=start_worker, initargs=(settings,)
    )


def schedule(pool: ProcessPool, task: Task, *, timeout: float | None) -> Future[Outcome]:
    return pool.schedule(process_in_worker, args=(task,), timeout=timeout)


def outcome_of(future: Future[Outcome], task: Task, timeout: float | None) -> Outcome:
    """The task's outcome; a task over ``timeout`` seconds, or one that killed its worker, fails alone.
    A :class:`~gxllm.errors.ConfigError` the worker raised is raised here."""
    try:
        return future.result()
    except ConfigError:
        raise
    except FutureTimeout:
        return Outcome.failed(task, "extract", "Timeout", f"took longer than {timeout:g} s")
    except ProcessExpired as error:
        return Outcome.failed(task, "worker", "WorkerDied", f"the worker process died (exit code {error.exitcode})")
    except Exception as error:  # noqa: BLE001 - the result could not come back (e.g. not picklable)
        return Outcome.failed(task, "worker", type(error).__name__, one_line(error))


def local_outcomes(tasks: list[Task], *, settings: Settings, workers: int, timeout: float | None) -> Iterator[Outcome]:
    """``workers`` processes on this machine, in the order the tasks finish (see :func:`outcome_of`)."""
    pool = process_pool(workers, settings)
    try:
        futures = {schedule(pool, task, timeout=timeout): task for task in tasks}
        for future in as_completed(futures):
            yield outcome_of(future, futures.pop(future), timeout)
    finally:
        pool.stop()
        pool.join()


class RayExtractor:
    """A long-lived Ray actor running the pipeline, so the models it loads (OCR, a language model)
    stay loaded from one document to the next, on the GPU Ray gave it if there is one."""

    def __init__(self, settings: Settings) -> None:
        self.worker = Worker(settings)

    def run(self, task: Task, content: bytes | None) -> Outcome:
        return self.worker.process(task, content)


def _gpu_share(cluster: dict[str, Any], workers: int) -> float:
    """Each actor's share of the cluster's GPUs: none without GPUs, at most one each."""
    gpus = float(cluster.get("GPU", 0))
    return min(1.0, gpus / workers) if gpus else 0.0


def _content(task: Task) -> bytes | None:
    """The file's bytes; None when it went away (the worker then fails it with the reader's reason)."""
    try:
        return Path(task.path).read_bytes()
    except OSError:
        return None


def ray_outcomes(tasks: list[Task], *, settings: Settings, workers: int) -> Iterator[Outcome]:
    """``workers`` actors on the Ray cluster at ``RAY_ADDRESS``, or on a local Ray started for this batch,
    each extracting with ``settings``.

    The file's bytes travel with each task, so the workers need no shared file
    system; a file is read only when an actor is free for it. A
    :class:`~gxllm.errors.ConfigError` an actor raised is raised here.
    """
    import ray
    from ray.exceptions import RayActorError, RayTaskError
    from ray.util import ActorPool

    started_here = not ray.is_initialized()
    if started_here:
        local = not os.environ.get("RAY_ADDRESS")
        ray.init(num_cpus=workers if local else None, include_dashboard=False, log_to_driver=False)
    try:
        actor = ray.remote(RayExtractor).options(
            num_cpus=1, num_gpus=_gpu_share(ray.cluster_resources(), workers), max_restarts=-1
        )
        pool = ActorPool([actor.remote(settings) for _ in range(workers)])
        for task in tasks:
            pool.submit(lambda extractor, t: extractor.run.remote(t, _content(t)), task)
        unanswered = {task.sha256: task for task in tasks}
        while pool.has_next():
            try:
                outcome = pool.get_next_unordered()
            except RayActorError:
                continue  # the actor died with its document; Ray restarts it, and the task is failed below
            except RayTaskError as error:
                if isinstance(error.cause, ConfigError):
                    raise error.cause from None  # its one line, not Ray's traceback around it
                raise
            unanswered.pop(outcome.task.sha256, None)
            yield outcome
        for task in unanswered.values():
            yield Outcome.failed(task, "worker", "WorkerDied", "the Ray actor running it died")
    finally:
        if started_here:
            ray.shutdown()
