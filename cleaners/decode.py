"""Bytes to text: pick the page's charset and reject what is not HTML before any parsing.

Order of evidence: the HTTP-declared charset (if the bytes decode cleanly with it), a BOM, a
<meta charset> / http-equiv declaration, then detection with charset_normalizer. A cp1251 page
served with no header and no meta must still come out as Cyrillic, which only detection can do.
"""

from __future__ import annotations

import codecs
import json
import re

from charset_normalizer import from_bytes

from cleaners.errors import BadEncoding, EmptyDocument, NotHTML

# Magic numbers of common non-HTML payloads served at article URLs.
BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x1f\x8b", "gzip data"),
    (b"RIFF", "RIFF media"),
    (b"OggS", "Ogg media"),
    (b"ID3", "MP3 audio"),
    (b"\x00\x00\x01\x00", "an icon image"),
    (b"wOFF", "a web font"),
    (b"wOF2", "a web font"),
)
BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
META_CHARSET_RE = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-zA-Z0-9_:.+-]+)""", re.IGNORECASE
)
TAG_RE = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")
# Share of NUL or C0 control bytes above which a payload is binary, not text.
MAX_CONTROL_SHARE = 0.05
SNIFF_BYTES = 4096
# Share of undecodable characters a mostly-UTF-8 page may have before it counts as undecodable.
MAX_REPLACED_SHARE = 0.001
MAX_REPLACED_CHARS = 8


def normalise_charset(name: str | None) -> str | None:
    """The Python codec name for a declared charset, or None when unknown ("latin1" -> cp1252)."""
    if not name:
        return None
    try:
        codec = codecs.lookup(name.strip().strip("\"'").lower()).name
    except LookupError:
        return None
    # Browsers read ISO-8859-1 and US-ASCII declarations as windows-1252 (WHATWG Encoding).
    return "cp1252" if codec in {"latin-1", "iso8859-1", "ascii"} else codec


def sniff_binary(head: bytes) -> str | None:
    """What a non-HTML binary payload is ("a PDF document"), or None when it may be text."""
    for signature, kind in BINARY_SIGNATURES:
        if head.startswith(signature):
            return kind
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None  # UTF-16 text is full of NULs; its BOM says it is text.
    controls = sum(1 for byte in head if byte < 9 or 13 < byte < 32)
    if head and controls / len(head) > MAX_CONTROL_SHARE:
        return "binary data"
    return None


def detect_charset(data: bytes, declared: str | None) -> tuple[str, str]:
    """(text, codec) from the first cleanly decoding source: header, BOM, meta, detection."""
    for bom, codec in BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec), codec
            except UnicodeDecodeError:
                break
    header_codec = normalise_charset(declared)
    candidates = [header_codec]
    meta = META_CHARSET_RE.search(data[:SNIFF_BYTES])
    if meta:
        candidates.append(normalise_charset(meta.group(1).decode("ascii", "ignore")))
    for codec in candidates:
        if codec is None or codec.startswith(("utf-16", "utf-32")):
            continue  # a UTF-16 declaration on a page without a BOM is nearly always a lie.
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            continue
    # A UTF-8 page with a few stray bytes (a truncated multi-byte character, a pasted cp1252
    # quote) is still that page: replace the bad bytes rather than let detection guess.
    lenient = data.decode("utf-8", errors="replace")
    if lenient.count("\ufffd") <= max(MAX_REPLACED_CHARS, MAX_REPLACED_SHARE * len(lenient)):
        return lenient, "utf-8"
    best = from_bytes(data[:200_000], preemptive_behaviour=False).best()
    if best is not None and best.encoding:
        try:
            return data.decode(best.encoding), best.encoding
        except (UnicodeDecodeError, LookupError):
            pass
    raise BadEncoding("no charset decodes the bytes (header, BOM, meta and detection tried)")


def check_text_is_html(text: str) -> str:
    """The text itself when it looks like HTML; EmptyDocument / NotHTML otherwise."""
    stripped = text.strip().lstrip("\ufeff")
    if not stripped:
        raise EmptyDocument("the document is empty or whitespace only")
    if stripped.startswith("%PDF-"):
        raise NotHTML("the document is a PDF document")
    if "\x00" in text:
        head = stripped[:SNIFF_BYTES]
        if head.count("\x00") > MAX_CONTROL_SHARE * len(head):
            raise NotHTML("the text holds NUL characters: binary data")
        # A few stray NULs in a textual page (a bad template, a pasted byte) are dropped: lxml
        # refuses text that holds any, and the page is otherwise a page.
        text = text.replace("\x00", "")
        stripped = text.strip().lstrip("\ufeff")
        if not stripped:
            raise EmptyDocument("the document is empty once its NUL characters are dropped")
    if stripped[0] in "{[" and looks_like_json(stripped):
        raise NotHTML("the document is JSON, not HTML")
    if not TAG_RE.search(stripped[:200_000]):
        raise NotHTML("no HTML tag in the document")
    return text


def looks_like_json(text: str) -> bool:
    """True when the whole text parses as a JSON object or array."""
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def decode_html(data: str | bytes, declared_encoding: str | None = None) -> str:
    """Page text from bytes or str, after rejecting empty, binary, JSON and tagless inputs."""
    if isinstance(data, str):
        return check_text_is_html(data)
    if not data.strip():
        raise EmptyDocument("the document is empty or whitespace only")
    kind = sniff_binary(data[:SNIFF_BYTES].lstrip())
    if kind:
        raise NotHTML(f"the payload is {kind}")
    text, _codec = detect_charset(data, declared_encoding)
    return check_text_is_html(text)
