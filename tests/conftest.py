"""Shared fixtures: the demo site on a real local HTTP server (127.0.0.1, port 0)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.siteserver import TestSiteServer


@pytest.fixture(scope="session")
def site_server() -> Iterator[TestSiteServer]:
    """fixtures/site plus the /broken/ endpoints, for the whole test session.

    Tests read `site_server.requests` to see what was fetched; filter by their own paths or
    hosts, since other tests share the server.
    """
    with TestSiteServer() as server:
        yield server
