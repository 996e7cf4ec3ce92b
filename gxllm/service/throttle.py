"""Failed log-ins counted per account and client, so a password cannot be guessed at speed.

After ``max_failures`` wrong passwords for one user name from one client
within ``window_s`` seconds, that pair is refused, without the password
being checked, until the oldest failure leaves the window. A successful
log-in clears the count. The count lives in the serving process: one
`gxllm serve` process is one reviewer service.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

MAX_FAILURES = 5
WINDOW_S = 15 * 60.0


class LoginThrottle:
    def __init__(
        self, max_failures: int = MAX_FAILURES, window_s: float = WINDOW_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self._clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str]) -> deque[float]:
        failures = self._failures.setdefault(key, deque())
        while failures and self._clock() - failures[0] >= self.window_s:
            failures.popleft()
        return failures

    def wait_s(self, username: str, client: str) -> float:
        """Seconds until this user name may be tried again from this client (0: now)."""
        with self._lock:
            failures = self._recent((username.casefold(), client))
            if len(failures) < self.max_failures:
                return 0.0
            return failures[-self.max_failures] + self.window_s - self._clock()

    def failed(self, username: str, client: str) -> None:
        with self._lock:
            self._recent((username.casefold(), client)).append(self._clock())

    def succeeded(self, username: str, client: str) -> None:
        with self._lock:
            self._failures.pop((username.casefold(), client), None)
