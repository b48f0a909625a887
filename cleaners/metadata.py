"""Page facts read straight from the parsed tree, besides trafilatura's metadata.

Canonical URL, modification date, language and the headline texts (to find the headline
repeated in the body). One pass over <meta>/<link> instead of an XPath scan per field: on large
pages a dozen `//meta[...]` scans cost more than the whole text stage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin

from lxml import etree
from lxml.html import HtmlElement

from cleaners.timestamps import parse_date_text

MODIFIED_KEYS = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "last-modified",
    "dcterms.modified",
    "modified",
)
LANGUAGE_KEYS = ("content-language", "og:locale", "language", "dc.language")
JSON_LD_MODIFIED_RE = re.compile(r'"dateModified"\s*:\s*"([^"]+)"')
# `/descendant::x` rather than `//x`: libxml2 walks every node of the page for each `//` step
# (`//body//*[...]` cost a few times more than the same search written with `descendant::`).
ITEMPROP_MODIFIED = etree.XPath("/descendant::body/descendant::*[@itemprop='dateModified']")
JSON_LD = etree.XPath("/descendant::script[@type='application/ld+json']/text()")


@dataclass(frozen=True, slots=True)
class PageFacts:
    """What the page declares about itself outside the article text."""

    canonical_url: str | None = None
    modified: str | None = None
    language: str | None = None
    headlines: tuple[str, ...] = ()


def meta_values(tree: HtmlElement) -> tuple[dict[str, str], str | None]:
    """{lower-case name/property/itemprop/http-equiv: content} and the canonical link's href."""
    values: dict[str, str] = {}
    canonical = None
    for element in tree.iter("meta", "link"):
        if element.tag == "link":
            rel = (element.get("rel") or "").lower().split()
            if canonical is None and "canonical" in rel and element.get("href", "").strip():
                canonical = element.get("href").strip()
            continue
        content = (element.get("content") or "").strip()
        if not content:
            continue
        for attribute in ("property", "name", "itemprop", "http-equiv"):
            key = (element.get(attribute) or "").strip().lower()
            if key:
                values.setdefault(key, content)
    return values, canonical


def normalise_date(value: str | None) -> str | None:
    """An ISO 8601 form of a declared date ("2014-04-14T22:21:00-04:00", "Mon, 14 Apr 2014")."""
    if not value:
        return None
    value = value.strip()
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).isoformat()
    except ValueError:
        return parse_date_text(value)


def find_modified_date(tree: HtmlElement, values: dict[str, str]) -> str | None:
    """The declared modification date: meta tags, itemprop=dateModified, JSON-LD dateModified."""
    for key in MODIFIED_KEYS:
        if key in values:
            return normalise_date(values[key])
    for element in ITEMPROP_MODIFIED(tree):
        found = element.get("datetime") or element.get("content") or element.text_content()
        if found and found.strip():
            return normalise_date(found)
    for script in JSON_LD(tree):
        match = JSON_LD_MODIFIED_RE.search(script) if "dateModified" in script else None
        if match:
            return normalise_date(match.group(1))
    return None


def find_language(tree: HtmlElement, values: dict[str, str]) -> str | None:
    """The page language from <html lang>, Content-Language or og:locale ("en", "de-AT")."""
    found = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    found = found or next((values[k] for k in LANGUAGE_KEYS if k in values), None)
    if not found:
        return None
    return found.split(",")[0].strip().replace("_", "-") or None


def headline_texts(tree: HtmlElement, values: dict[str, str]) -> tuple[str, ...]:
    """Texts of the page's <h1> elements and og:title, to find the headline repeated in the body."""
    texts = [" ".join(h.text_content().split()) for h in tree.iter("h1")]
    texts.append(values.get("og:title", ""))
    return tuple(dict.fromkeys(t for t in texts if t))


def page_facts(tree: HtmlElement, url: str | None) -> PageFacts:
    """Canonical URL (absolute), modification date, language and headlines of the page."""
    values, canonical = meta_values(tree)
    canonical = canonical or values.get("og:url")
    if canonical and url:
        canonical = urljoin(url, canonical)
    return PageFacts(
        canonical_url=canonical,
        modified=find_modified_date(tree, values),
        language=find_language(tree, values),
        headlines=headline_texts(tree, values),
    )
