"""Shared fixtures: the demo site on a real local HTTP server (127.0.0.1, port 0)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from support.siteserver import TestSiteServer

# Every local crawl in the tests (subprocesses inherit the environment) fetches from 127.0.0.1,
# which a crawl refuses unless this allows it; tests/test_hostile.py turns it off with -s.
os.environ["CLEANNEWS_ALLOW_PRIVATE_ADDRESSES"] = "true"


@pytest.fixture(scope="session")
def site_server() -> Iterator[TestSiteServer]:
    """fixtures/site plus the /broken/ endpoints, for the whole test session.

    Tests read `site_server.requests` to see what was fetched; filter by their own paths or
    hosts, since other tests share the server.
    """
    with TestSiteServer() as server:
        yield server


@pytest.fixture
def precision_calls(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Every second (trafilatura) extraction a page gets, recorded: True for precision mode."""
    import cleaners.extract as extract_module

    calls: list[bool] = []
    original = extract_module.run_trafilatura_body

    def recording(*args, **kwargs):
        calls.append(kwargs.get("favor_precision", False))
        return original(*args, **kwargs)

    monkeypatch.setattr(extract_module, "run_trafilatura_body", recording)
    return calls
