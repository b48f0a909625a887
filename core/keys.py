"""Dedupe keys: the key an article is stored under, and the hash that finds copies of it.

The key is the page's canonical link when it stays on the same site, else the final URL, both
normalised with w3lib (tracking parameters and fragments dropped, query sorted). The hash is
SHA-256 of the body with case, Unicode forms and whitespace normalised. The storage backend uses
both: a known key is a re-crawl (update in place), a known hash under a new key is a duplicate.
"""

from __future__ import annotations

import hashlib
import unicodedata
from urllib.parse import parse_qsl, urljoin, urlsplit

from tldextract import TLDExtract
from w3lib.url import canonicalize_url, url_query_cleaner

from core.outlets import host_of
from core.records import ArticleRecord

# Query parameters that only say how a reader arrived (campaigns, click ids, mail tracking).
TRACKING_PARAM_PREFIXES = ("utm_", "mtm_")
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
    "igshid", "mc_cid", "mc_eid", "mkt_tok", "_ga", "_gl", "_hsenc", "_hsmi", "s_cid",
    "pk_campaign", "pk_kwd", "pk_source", "pk_medium", "oly_enc_id", "oly_anon_id", "vero_id",
    "vero_conv", "rb_clickid",
})

# The bundled Public Suffix List snapshot only: never fetch the list over the network.
_split_domain = TLDExtract(suffix_list_urls=(), cache_dir=None)


def is_tracking_param(name: str) -> bool:
    """True for a query parameter that carries campaign or click tracking, not content."""
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PARAM_PREFIXES)


def normalize_url(url: str) -> str:
    """`url` without tracking parameters or fragment, in w3lib's canonical form."""
    names = [name for name, _ in parse_qsl(urlsplit(url).query, keep_blank_values=True)]
    tracking = sorted({name for name in names if is_tracking_param(name)})
    if tracking:
        url = url_query_cleaner(url, tracking, remove=True, unique=False, keep_fragments=False)
    return canonicalize_url(url, keep_fragments=False)


def site_of(url: str) -> str:
    """The registrable domain of a URL (`news.example.co.uk` -> `example.co.uk`), else its host."""
    host = host_of(url)
    parts = _split_domain(host)
    if parts.top_domain_under_public_suffix:
        return parts.top_domain_under_public_suffix
    if parts.ipv4 or parts.ipv6 or "." not in host:
        return host
    # A suffix outside the list (.example, .test, an intranet name): its last two labels.
    return ".".join(host.split(".")[-2:])


def is_section_front(url: str) -> bool:
    """True for a URL whose path is the site root (`/`, `/index.html`)."""
    path = urlsplit(url).path.rstrip("/")
    return path in ("", "/index.html", "/index.htm", "/index.php")


def storage_url(final_url: str, canonical_url: str | None) -> str:
    """The normalised URL an article is stored under.

    The canonical link wins when it is http(s) and on the same registrable domain; a canonical
    that points at the site root from a deeper page is a template error (every article would
    collapse into one), so it is ignored.
    """
    if canonical_url:
        canonical = urljoin(final_url, canonical_url.strip())
        if (
            urlsplit(canonical).scheme in ("http", "https")
            and site_of(canonical) == site_of(final_url)
            and not (is_section_front(canonical) and not is_section_front(final_url))
        ):
            return normalize_url(canonical)
    return normalize_url(final_url)


def body_hash(body: str) -> str:
    """SHA-256 (hex) of the body with Unicode form, case and whitespace normalised."""
    normalised = " ".join(unicodedata.normalize("NFKC", body).casefold().split())
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def fill_dedupe_keys(record: ArticleRecord) -> ArticleRecord:
    """Set the record's storage URL, body hash and alias URLs (the other addresses it had)."""
    record.normalized_url = storage_url(record.final_url, record.canonical_url)
    record.body_hash = body_hash(record.body)
    aliases: list[str] = []
    for url in (record.final_url, record.url):
        if url and urlsplit(url).scheme in ("http", "https"):
            alias = normalize_url(url)
            if alias != record.normalized_url and alias not in aliases:
                aliases.append(alias)
    record.alias_urls = aliases
    return record

