"""Fixtures for the photo tests; the photos themselves come from tests.helpers.photo_files."""

import datetime as dt

import pytest


@pytest.fixture
def when() -> dt.datetime:
    return dt.datetime(2024, 7, 14, 10, 0, 0)
