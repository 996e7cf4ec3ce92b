"""Failed log-ins counted per account and client, so a password cannot be guessed at speed.

After ``max_failures`` wrong passwords for one user name from one client
within ``window_s`` seconds, that pair is refused, without the password
being checked, until the oldest failure leaves the window; after
``max_client_failures`` from one client, whatever the names, that client is.
A successful log-in clears its pair's count. The counts live in the serving
process (one `gxllm serve` process is one reviewer service) and take bounded
memory: at most ``max_tracked`` pairs and clients, the least recently failed
forgotten first.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

MAX_FAILURES = 5
MAX_CLIENT_FAILURES = 20
WINDOW_S = 15 * 60.0
MAX_TRACKED = 10_000


class LoginThrottle:
    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        max_client_failures: int = MAX_CLIENT_FAILURES,
        window_s: float = WINDOW_S,
        max_tracked: int = MAX_TRACKED,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.max_client_failures = max_client_failures
        self.window_s = window_s
        self.max_tracked = max_tracked
        self._clock = clock
        # Keyed by (name, client) and by (None, client); the least recently failed first.
        self._failures: OrderedDict[tuple[str | None, str], deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        """How many pairs and clients are counted now."""
        return len(self._failures)

    def _recent(self, key: tuple[str | None, str]) -> deque[float]:
        failures = self._failures.get(key, deque())
        while failures and self._clock() - failures[0] >= self.window_s:
            failures.popleft()
        return failures

    def _wait(self, key: tuple[str | None, str], limit: int) -> float:
        failures = self._recent(key)
        if len(failures) < limit:
            return 0.0
        return failures[-limit] + self.window_s - self._clock()

    def wait_s(self, username: str, client: str) -> float:
        """Seconds until this user name may be tried again from this client (0: now)."""
        with self._lock:
            return max(
                self._wait((username.casefold(), client), self.max_failures),
                self._wait((None, client), self.max_client_failures),
            )

    def failed(self, username: str, client: str) -> None:
        with self._lock:
            for key in ((username.casefold(), client), (None, client)):
                failures = self._recent(key)
                failures.append(self._clock())
                self._failures[key] = failures
                self._failures.move_to_end(key)
            while len(self._failures) > self.max_tracked:
                self._failures.popitem(last=False)

    def succeeded(self, username: str, client: str) -> None:
        with self._lock:
            self._failures.pop((username.casefold(), client), None)
