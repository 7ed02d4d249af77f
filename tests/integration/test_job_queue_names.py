"""Two installations sharing one Redis never take each other's jobs: the Huey queue is
named per installation (HUEY_QUEUE, by default derived from the database URL)."""

from types import SimpleNamespace

from mpanel.config import load_config
from mpanel.core import outbox, tasks
from mpanel.testing.pytest_plugin import REDIS_URL


def test_the_default_queue_name_differs_per_database_and_can_be_set():
    one = load_config({"DATABASE_URL": "postgresql+psycopg://app@db/shop_one"}, environ={})["HUEY_QUEUE"]
    two = load_config({"DATABASE_URL": "postgresql+psycopg://app@db/shop_two"}, environ={})["HUEY_QUEUE"]
    assert one != two and one.startswith("mpanel-")
    assert load_config(environ={"MPANEL_HUEY_QUEUE": "acme-prod"})["HUEY_QUEUE"] == "acme-prod"


def test_installations_sharing_redis_keep_their_jobs_apart(app):
    def installation(database):
        config = load_config({"DATABASE_URL": f"postgresql+psycopg://app@db/{database}", "REDIS_URL": REDIS_URL,
                              "HUEY_IMMEDIATE": False}, environ={})
        fake = SimpleNamespace(config=config, extensions={})
        tasks.configure(fake)
        return tasks.huey.storage

    try:
        first = installation("first_install")
        first.flush_queue()
        tasks.huey.enqueue(outbox.drain.s(1))  # a job of the first installation, never run here
        second = installation("second_install")
        second.flush_queue()
        assert first.queue_size() == 1 and second.queue_size() == 0
        assert second.dequeue() is None  # the second installation's worker finds nothing
        first.flush_queue()
    finally:
        tasks.configure(app)  # the test session's app again
