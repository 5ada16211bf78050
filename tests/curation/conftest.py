from tests.ingest.conftest import workspace  # noqa: F401 - shared fixture
