import pytest
from django.utils import translation


@pytest.fixture
def english():
    """Service and model messages checked in their English source text."""
    with translation.override("en"):
        yield
