"""Fixtures shared by the pairing tests."""

from tests.brokers import redis_app  # noqa: F401 - a fixture, for the tests that start workers
