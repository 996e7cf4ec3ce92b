"""Fixtures of the flagged review store, for the service's tests (``pytest_plugins``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.service_reports import ReviewStore, copy_store, fill_store


@pytest.fixture(scope="session")
def filled_store(tmp_path_factory: pytest.TempPathFactory) -> ReviewStore:
    return fill_store(tmp_path_factory.mktemp("review-store"))


@pytest.fixture
def review_store(filled_store: ReviewStore, tmp_path: Path) -> ReviewStore:
    """A fresh copy of the flagged store for one test."""
    return copy_store(filled_store, tmp_path)
