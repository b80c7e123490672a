"""Service tests on the in-memory unit of work: no database fixture, so none is made."""

import pytest

from tests.services.world import World


@pytest.fixture
def world() -> World:
    return World()
