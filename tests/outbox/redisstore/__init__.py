"""Tests of smswire.outbox.redis (not named ``redis``: the process tests run
scripts from tests/outbox, where a ``redis`` folder would shadow redis-py)."""
