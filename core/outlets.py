"""Outlet configuration: the TOML file that says which outlets to crawl and how.

Loaded with the standard library's `tomllib`; no Scrapy import, so pipelines and tools can use it.
The default file ships with the crawler (`crawler/outlets.toml`); `-s OUTLETS_FILE=PATH` picks
another.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from cleaners.rules import OutletRules

# The crawler's own list of outlets, shipped beside its spiders.
DEFAULT_OUTLETS_FILE = Path(__file__).resolve().parent.parent / "crawler" / "outlets.toml"


class OutletConfigError(ValueError):
    """The outlets file is missing, not TOML, or an entry lacks a required key."""


@dataclass(frozen=True, slots=True)
class Outlet:
    """One outlet: identity, where its articles are found, and optional cleaning rules."""

    id: str
    name: str
    domains: tuple[str, ...]
    country: str | None = None
    language: str | None = None
    homepage: str | None = None
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    start_urls: tuple[str, ...] = ()
    article_patterns: tuple[str, ...] = ()
    deny_patterns: tuple[str, ...] = ()
    drop_selectors: tuple[str, ...] = ()
    drop_patterns: tuple[str, ...] = ()
    # Hosts besides `domains` that a redirect may lead to (a CDN, a URL shortener the outlet uses).
    redirect_domains: tuple[str, ...] = ()
    extra: dict[str, object] = field(default_factory=dict, compare=False)

    @property
    def rules(self) -> OutletRules:
        """The cleaning rules the cleaners take for this outlet."""
        return OutletRules(
            id=self.id,
            name=self.name,
            drop_selectors=self.drop_selectors,
            drop_patterns=self.drop_patterns,
        )

    def to_row(self) -> dict[str, object]:
        """The row stored in the `outlets` table."""
        return {
            "id": self.id,
            "name": self.name,
            "domains": list(self.domains),
            "country": self.country,
            "language": self.language,
            "homepage": self.homepage,
        }


def host_of(url: str) -> str:
    """The lower-cased host of a URL without a leading `www.` ("" if there is none)."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return host.removeprefix("www.")


def outlet_for_domain(host: str) -> Outlet:
    """An ad-hoc outlet for a URL whose domain is in no outlet entry (one-off runs)."""
    return Outlet(id=host, name=host, domains=(host,))


class OutletRegistry:
    """All configured outlets, with lookup by id and by URL domain (subdomains match)."""

    def __init__(self, outlets: list[Outlet]) -> None:
        self._by_id: dict[str, Outlet] = {}
        self._by_domain: dict[str, Outlet] = {}
        for outlet in outlets:
            if outlet.id in self._by_id:
                raise OutletConfigError(f"duplicate outlet id {outlet.id!r}")
            self._by_id[outlet.id] = outlet
            for domain in outlet.domains:
                self._by_domain[domain.lower().removeprefix("www.")] = outlet

    def __iter__(self):
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, outlet_id: str) -> Outlet | None:
        return self._by_id.get(outlet_id)

    def select(self, ids: list[str] | None) -> list[Outlet]:
        """The outlets with these ids (all when `ids` is empty); unknown ids raise."""
        if not ids:
            return list(self)
        unknown = [i for i in ids if i not in self._by_id]
        if unknown:
            known = ", ".join(sorted(self._by_id))
            raise OutletConfigError(f"unknown outlet id(s) {unknown}; known: {known}")
        return [self._by_id[i] for i in ids]

    def for_url(self, url: str) -> Outlet | None:
        """The configured outlet whose domain (or a parent domain) serves `url`, if any."""
        host = host_of(url)
        while host:
            if host in self._by_domain:
                return self._by_domain[host]
            _, _, host = host.partition(".")
        return None

    def resolve(self, url: str, canonical_url: str | None = None) -> Outlet:
        """The outlet of a page: by URL, then canonical link, else one made from its domain."""
        for candidate in (url, canonical_url):
            if candidate:
                outlet = self.for_url(candidate)
                if outlet is not None:
                    return outlet
        return outlet_for_domain(host_of(canonical_url or url) or "unknown")


def _tuple(entry: dict, key: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise OutletConfigError(f"outlet {entry.get('id')!r}: {key!r} must be a list of strings")
    return tuple(value)


_KNOWN_KEYS = {
    "id", "name", "domains", "country", "language", "homepage", "feeds", "sitemaps",
    "start_urls", "article_patterns", "deny_patterns", "drop_selectors", "drop_patterns",
    "redirect_domains",
}


# Keys whose values are URLs and may hold `{name}` placeholders (see `fill_placeholders`).
# Patterns are regular expressions (`\d{4}`), so they are never substituted.
URL_KEYS = ("homepage", "feeds", "sitemaps", "start_urls")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def fill_placeholders(text: str, variables: Mapping[str, object], where: str = "") -> str:
    """Replace each `{name}` in a URL with `variables[name]`; an unset name raises.

    Lets one config serve a site whose address is only known at run time, e.g.
    `http://127.0.0.1:{port}/feed.xml` with `-s CLEANNEWS_OUTLETS_VARS='{"port": "8123"}'`.
    """

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in variables:
            raise OutletConfigError(
                f"{where}: placeholder {{{name}}} has no value; "
                f"set it with -s CLEANNEWS_OUTLETS_VARS='{{\"{name}\": ...}}'"
            )
        return str(variables[name])

    return _PLACEHOLDER.sub(replace, text)


def _fill_entry(entry: dict, variables: Mapping[str, object]) -> dict:
    """A copy of an outlet table with the placeholders of its URL keys filled."""
    filled = dict(entry)
    where = f"outlet {entry.get('id')!r}"
    for key in URL_KEYS:
        value = entry.get(key)
        if isinstance(value, str):
            filled[key] = fill_placeholders(value, variables, where)
        elif isinstance(value, list):
            filled[key] = [
                fill_placeholders(v, variables, where) if isinstance(v, str) else v for v in value
            ]
    return filled


def parse_outlet(entry: dict, variables: Mapping[str, object] | None = None) -> Outlet:
    """One `[[outlet]]` table to an Outlet; raises OutletConfigError on a missing key.

    `variables` fill `{name}` placeholders in the URL keys (homepage, feeds, sitemaps, start_urls).
    """
    for key in ("id", "name", "domains"):
        if key not in entry:
            raise OutletConfigError(f"outlet entry {entry!r} lacks {key!r}")
    entry = _fill_entry(entry, variables or {})
    for key in ("article_patterns", "deny_patterns", "drop_patterns"):
        for pattern in _tuple(entry, key):
            try:
                re.compile(pattern)
            except re.error as exc:
                raise OutletConfigError(
                    f"outlet {entry['id']!r}: {key} {pattern!r} is not a valid regex: {exc}"
                ) from exc
    return Outlet(
        id=str(entry["id"]),
        name=str(entry["name"]),
        domains=_tuple(entry, "domains"),
        country=entry.get("country"),
        language=entry.get("language"),
        homepage=entry.get("homepage"),
        feeds=_tuple(entry, "feeds"),
        sitemaps=_tuple(entry, "sitemaps"),
        start_urls=_tuple(entry, "start_urls"),
        article_patterns=_tuple(entry, "article_patterns"),
        deny_patterns=_tuple(entry, "deny_patterns"),
        drop_selectors=_tuple(entry, "drop_selectors"),
        drop_patterns=_tuple(entry, "drop_patterns"),
        redirect_domains=_tuple(entry, "redirect_domains"),
        extra={k: v for k, v in entry.items() if k not in _KNOWN_KEYS},
    )


def load_outlets(
    path: str | Path | None = None, variables: Mapping[str, object] | None = None
) -> OutletRegistry:
    """Read an outlets TOML file (the packaged default when `path` is None).

    `variables` fill `{name}` placeholders in URL keys; an unfilled placeholder raises.
    """
    path = Path(path) if path else DEFAULT_OUTLETS_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise OutletConfigError(f"outlets file not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise OutletConfigError(f"outlets file {path} is not valid TOML: {exc}") from exc
    entries = data.get("outlet", [])
    if not isinstance(entries, list):
        raise OutletConfigError(f"{path}: expected [[outlet]] tables")
    return OutletRegistry([parse_outlet(e, variables) for e in entries])
