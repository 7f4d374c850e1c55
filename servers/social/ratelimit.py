"""Per-account token buckets in Redis, fed by X's `x-rate-limit-*` headers, and the monthly cap.

Each (tenant, account, endpoint) bucket holds the tokens X says are left in the current window
and when it resets. A call takes a token first (atomically, so concurrent calls cannot overdraw);
an empty bucket raises `RateLimited` with the reset time instead of calling X. Keys are
tenant-prefixed: `chimera:<tenant>:x:<account>:rl:<endpoint>`, `...:posts:<YYYY-MM>`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from servers.social.errors import RateLimited
from servers.social.xapi import RateWindow

_ACQUIRE = """
local r = redis.call('HMGET', KEYS[1], 'remaining', 'reset')
if not r[1] or not r[2] then return 0 end
if tonumber(r[2]) <= tonumber(ARGV[1]) then redis.call('DEL', KEYS[1]) return 0 end
if tonumber(r[1]) <= 0 then return tonumber(r[2]) end
redis.call('HINCRBY', KEYS[1], 'remaining', -1)
return 0
"""

_OBSERVE = """
local cur = redis.call('HMGET', KEYS[1], 'remaining', 'reset')
if not (cur[2] == ARGV[2] and cur[1] and tonumber(cur[1]) < tonumber(ARGV[1])) then
  redis.call('HSET', KEYS[1], 'remaining', ARGV[1], 'reset', ARGV[2])
end
redis.call('EXPIREAT', KEYS[1], tonumber(ARGV[2]) + 1)
return 1
"""

_CLAIM = """
local n = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], 3456000)
if n > tonumber(ARGV[1]) then redis.call('DECR', KEYS[1]) return 0 end
return n
"""


def next_month(now: datetime) -> datetime:
    """Midnight UTC on the first day of the month after `now`."""
    year, month = (now.year + 1, 1) if now.month == 12 else (now.year, now.month + 1)
    return datetime(year, month, 1, tzinfo=UTC)


class Limiter:
    """The buckets of one X account for one tenant."""

    def __init__(
        self, redis: Any, tenant_id: str, account: str, clock: Callable[[], float] = time.time
    ) -> None:
        """Buckets under `chimera:<tenant_id>:x:<account>:`."""
        self.redis = redis
        self.prefix = f"chimera:{tenant_id}:x:{account}:"
        self.clock = clock

    async def acquire(self, endpoint: str) -> None:
        """Take one token of `endpoint`'s window.

        Raises:
            RateLimited: the window is spent; `retry_at` is its reset.

        """
        reset = int(
            await self.redis.eval(_ACQUIRE, 1, self.prefix + "rl:" + endpoint, int(self.clock()))
        )
        if reset:
            raise RateLimited(
                f"X {endpoint}: rate-limit window spent", datetime.fromtimestamp(reset, UTC)
            )

    async def observe(self, endpoint: str, window: RateWindow) -> None:
        """Record what X's headers say about `endpoint`'s window."""
        if window.reset is None:
            return
        remaining = 0 if window.remaining is None else window.remaining
        reset = int(window.reset.timestamp())
        await self.redis.eval(_OBSERVE, 1, self.prefix + "rl:" + endpoint, remaining, reset)

    def _month_key(self) -> str:
        return self.prefix + "posts:" + datetime.fromtimestamp(self.clock(), UTC).strftime("%Y-%m")

    async def claim_post(self, cap: int) -> None:
        """Count one post against the monthly cap.

        Raises:
            RateLimited: the month's cap is reached; `retry_at` is the next month.

        """
        if not int(await self.redis.eval(_CLAIM, 1, self._month_key(), cap)):
            now = datetime.fromtimestamp(self.clock(), UTC)
            raise RateLimited(f"monthly post cap of {cap} reached", next_month(now))

    async def release_post(self) -> None:
        """Give back a claimed post that X did not publish."""
        await self.redis.decr(self._month_key())
