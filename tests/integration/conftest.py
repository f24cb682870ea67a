"""Fixtures shared by the integration tests."""

from tests.integration.reminders_env import env  # noqa: F401 - the reminder tests' fixture
