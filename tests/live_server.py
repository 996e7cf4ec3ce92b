"""A real ``gxllm serve`` process on a free port, for the tests that need one (browser, concurrency, faults)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

START_TIMEOUT_S = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_command(store_url: str, folder: Path, port: int, *options: str) -> list[str]:
    return [sys.executable, "-m", "gxllm.cli", "serve", "--db", store_url, "--port", str(port),
            "--uploads", str(folder / "uploads"), *options]


@contextmanager
def live_server(store_url: str, folder: Path, *options: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``gxllm serve`` over ``store_url``, its log in ``folder/serve.log``; yields its base URL and process.

    Stopped with SIGTERM at the end unless the test already ended it."""
    port = free_port()
    log_path = folder / "serve.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(serve_command(store_url, folder, port, *options), stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while True:
                try:
                    httpx.get(f"{base}/login", timeout=2)  # any answer: the server is up
                    break
                except httpx.TransportError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gxllm serve did not start:\n{log_path.read_text()}")
                time.sleep(0.2)
            yield base, server
        finally:
            if server.poll() is None:
                server.terminate()
                server.wait(timeout=30)
