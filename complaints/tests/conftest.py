import pytest


@pytest.fixture(autouse=True)
def _limits(settings, tmp_path):
    settings.COMPLAINTS_DEVICE_LIMIT_PER_HOUR = 3
    settings.COMPLAINTS_NETWORK_LIMIT_PER_HOUR = 5
    settings.COMPLAINTS_NETWORK_HARD_LIMIT_PER_HOUR = 8
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _fresh_national_figures():
    from django.core.cache import cache

    cache.delete("complaints:figures:national")
    yield
    cache.delete("complaints:figures:national")
