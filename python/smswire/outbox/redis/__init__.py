"""The outbox on Redis (the ``redis`` extra): streams per route, shared by many processes."""

from smswire.outbox.redis.keys import DEFAULT_PREFIX
from smswire.outbox.redis.ratelimit import RedisRateLimiter
from smswire.outbox.redis.store import LEASE_HORIZON, RedisStore
from smswire.outbox.redis.workers import WorkerHealth

__all__ = ["DEFAULT_PREFIX", "LEASE_HORIZON", "RedisRateLimiter", "RedisStore", "WorkerHealth"]
