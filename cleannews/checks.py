"""Checks of a crawl's settings and arguments, run before anything is fetched or written.

Every mistake a user can make on the command line or in the outlets file ends here as one
`UserError`: one line that names the setting, argument, key or file, with "did you mean" for a
near miss, and the exit status the command documents (2 for usage errors, 1 when another crawl
holds the database's lock). Both `cleannews crawl` and `scrapy crawl` run `preflight` before the
crawler is built (see cleannews/commands/crawl.py), so neither writes a database row, a lock
file or JOBDIR state for a run that cannot work.

The declared settings are read from the settings module itself (`crawler/settings.py`), so a
setting added there is known here without a change; the type of a value is checked the way the
crawl reads it (Scrapy's `getint`, `getfloat`, `getbool`, `getlist`, `getdict`).
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib
import inspect
import os
import tomllib
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings
from scrapy.settings import default_settings as scrapy_defaults

from core.outlets import Outlet, OutletConfigError, load_outlets
from crawler.lock import AlreadyRunning, FileLock, lock_path_for

# Exit statuses (README "Exit statuses", docs/cron.md).
EXIT_USAGE = 2
EXIT_LOCKED = 1

PREFIX = "CLEANNEWS_"
# The project's settings without the prefix (README and issues use these names).
UNPREFIXED = ("OUTLETS_FILE", "SQLITE_PATH", "DATABASE_URL", "REDIS_URL")
SQLITE_MAGIC = b"SQLite format 3\x00"

# ISO 639-1 language codes (the form CLEANNEWS_LANGUAGES and the articles' `language` use).
ISO_639_1 = frozenset(
    """aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv
    cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht
    hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la
    lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj
    om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv
    sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh
    zu""".split()
)
# Language names people type instead of the code, for "did you mean".
LANGUAGE_NAMES = {
    "arabic": "ar", "chinese": "zh", "czech": "cs", "danish": "da", "dutch": "nl",
    "english": "en", "finnish": "fi", "french": "fr", "german": "de", "greek": "el",
    "hebrew": "he", "hindi": "hi", "hungarian": "hu", "italian": "it", "japanese": "ja",
    "korean": "ko", "norwegian": "no", "persian": "fa", "polish": "pl", "portuguese": "pt",
    "romanian": "ro", "russian": "ru", "spanish": "es", "swedish": "sv", "turkish": "tr",
    "ukrainian": "uk", "deutsch": "de", "francais": "fr", "español": "es", "espanol": "es",
    "русский": "ru",
}

# Ranges the crawl needs; the type comes from the declared default (see `setting_reader`).
# (lowest, highest), either end None for open.
RANGES: dict[str, tuple[float | None, float | None]] = {
    "CLEANNEWS_LISTING_DEPTH": (0, None),
    "CLEANNEWS_BATCH_SIZE": (1, None),
    "CLEANNEWS_FLUSH_INTERVAL": (0, None),
    "CLEANNEWS_MIN_WORDS": (0, None),
    "CLEANNEWS_PROFILE_MIN_PAGES": (1, None),
    "CLEANNEWS_PROFILE_SHORT_MAX_WORDS": (1, None),
    "CLEANNEWS_PROFILE_SHORT_SHARE": (0, 1),
    "CLEANNEWS_PROFILE_LONG_SHARE": (0, 1),
    "CLEANNEWS_PROFILE_MIN_BLOCK_PAGES": (1, None),
    "CLEANNEWS_PROFILE_MIN_PARAGRAPH_PAGES": (1, None),
    "CLEANNEWS_PROFILE_WINDOW_PAGES": (0, None),
    "CLEANNEWS_EXTRACT_WORKERS": (0, None),
    "CLEANNEWS_EXTRACT_TIMEOUT": (0, None),
    "CLEANNEWS_EXTRACT_MAX_PENDING": (1, None),
    "CLEANNEWS_EXTRACT_WORKER_MAX_PAGES": (0, None),
    "CLEANNEWS_REDIS_IDLE_CLOSE": (0, None),
    "CLEANNEWS_REDIS_HEARTBEAT": (0, None),
    "CLEANNEWS_REDIS_WORKER_TIMEOUT": (0, None),
    "CLEANNEWS_REVISIT_HOURS": (0, None),
    "CLEANNEWS_SQLITE_BUSY_TIMEOUT": (0, None),
}
# Settings whose declared default is None: the type a value must have.
NONE_DEFAULT_TYPES = {
    "CLEANNEWS_EXTRACT_WORKERS": int,
    "CLEANNEWS_EXTRACT_MAX_PENDING": int,
}
# Settings the project sets itself (add-ons), never a user.
INTERNAL = {"CLEANNEWS_REDIS_KEY_PREFIX"}


class UserError(Exception):
    """A mistake of the user's: one line for stderr and the exit status to end with."""

    def __init__(self, message: str, status: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.status = status


def did_you_mean(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str:
    """' (did you mean X?)' for the closest choice, or '' when nothing is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    return f" (did you mean {close[0]}?)" if close else ""


def settings_module(settings: BaseSettings) -> Any:
    """The project's settings module (SCRAPY_SETTINGS_MODULE, else crawler.settings)."""
    return importlib.import_module(
        os.environ.get("SCRAPY_SETTINGS_MODULE") or "crawler.settings"
    )


def declared_settings(settings: BaseSettings) -> dict[str, Any]:
    """Every setting the project declares, with its default: {NAME: default}."""
    module = settings_module(settings)
    return {name: getattr(module, name) for name in dir(module) if name.isupper()}


# --- Settings --------------------------------------------------------------------------------


def setting_reader(name: str, default: Any) -> Callable[[BaseSettings, str], Any] | None:
    """How the crawl reads a setting, from the type of its declared default (None: any text)."""
    kind = NONE_DEFAULT_TYPES.get(name, type(default))
    if kind is bool:
        return BaseSettings.getbool
    if kind is int:
        return BaseSettings.getint
    if kind is float:
        return BaseSettings.getfloat
    if kind in (list, tuple):
        return BaseSettings.getlist
    if kind is dict:
        return BaseSettings.getdict
    return None


TYPE_WORDS = {
    BaseSettings.getbool: "true or false",
    BaseSettings.getint: "a whole number",
    BaseSettings.getfloat: "a number",
    BaseSettings.getlist: "a comma-separated list",
    BaseSettings.getdict: "a JSON object",
}


def check_setting_names(settings: BaseSettings) -> None:
    """Unknown settings with the project's prefix, or near misses of its unprefixed ones."""
    declared = declared_settings(settings)
    ours = [name for name in declared if name.startswith(PREFIX)] + list(UNPREFIXED)
    scrapy_names = {name for name in dir(scrapy_defaults) if name.isupper()}
    for name in list(settings):
        if name in declared or name in INTERNAL or name in scrapy_names:
            continue
        if name.startswith(PREFIX):
            raise UserError(f"unknown setting {name}{did_you_mean(name, ours)}")
        hint = did_you_mean(name, UNPREFIXED, cutoff=0.8)
        if hint:
            raise UserError(f"unknown setting {name}{hint}")


def check_setting_values(settings: BaseSettings) -> None:
    """Each declared project setting: the type the crawl reads it as, and its range."""
    for name, default in declared_settings(settings).items():
        if not name.startswith(PREFIX) or name not in settings:
            continue
        raw = settings.get(name)
        reader = setting_reader(name, default)
        if reader is None or raw is None:
            continue
        try:
            value = reader(settings, name)
        except (ValueError, TypeError) as exc:
            raise UserError(
                f"setting {name}={raw!s}: must be {TYPE_WORDS[reader]} ({exc})"
            ) from None
        low, high = RANGES.get(name, (None, None))
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if low is not None and value < low:
                raise UserError(f"setting {name}={raw!s}: must be at least {low}")
            if high is not None and value > high:
                raise UserError(f"setting {name}={raw!s}: must be at most {high}")
    check_scrapy_values(settings)
    check_languages(settings.getlist("CLEANNEWS_LANGUAGES"), "setting CLEANNEWS_LANGUAGES")
    since = settings.get("CLEANNEWS_SINCE") or ""
    if since:
        check_iso_date(since, "setting CLEANNEWS_SINCE")
    thresholds = settings.get("CLEANNEWS_GC_THRESHOLDS")
    if thresholds:
        parts = str(thresholds).split(",")
        if not (1 <= len(parts) <= 3 and all(p.strip().isdigit() for p in parts)):
            raise UserError(
                f"setting CLEANNEWS_GC_THRESHOLDS={thresholds}: must be up to three whole "
                'numbers "gen0,gen1,gen2" (or "" for Python\'s own)'
            )


def check_scrapy_values(settings: BaseSettings) -> None:
    """Scrapy's own numeric and true/false settings given on the command line."""
    for name in list(settings):
        if name.startswith(PREFIX) or not hasattr(scrapy_defaults, name):
            continue
        priority = settings.getpriority(name)
        if priority is None or priority < SETTINGS_PRIORITIES["cmdline"]:
            continue
        default = getattr(scrapy_defaults, name)
        if isinstance(default, bool):
            reader = BaseSettings.getbool
        elif isinstance(default, (int, float)):
            reader = BaseSettings.getfloat  # Scrapy's integer settings take 0.5 as well
        else:
            continue
        try:
            reader(settings, name)
        except (ValueError, TypeError):
            kind = "true or false" if reader is BaseSettings.getbool else "a number"
            raise UserError(f"setting {name}={settings.get(name)}: must be {kind}") from None


def check_languages(codes: Iterable[str], where: str) -> None:
    """Every entry an ISO 639-1 code (a region suffix such as en-GB is allowed)."""
    for code in codes:
        base = code.strip().lower().split("-")[0].split("_")[0]
        if base in ISO_639_1:
            continue
        named = LANGUAGE_NAMES.get(code.strip().lower())
        hint = f" (did you mean {named}?)" if named else did_you_mean(base, ISO_639_1)
        raise UserError(f"{where}: {code!r} is not an ISO 639-1 language code{hint}")


def parse_iso(value: str) -> date | datetime | None:
    """An ISO 8601 year, month, date or date-time; None when it is none of these."""
    text = value.strip()
    for fmt_len, fill in ((4, "-01-01"), (7, "-01")):
        if len(text) == fmt_len:
            text = text + fill
            break
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def check_iso_date(value: str, where: str) -> None:
    if parse_iso(value) is None:
        raise UserError(
            f"{where}={value}: not an ISO 8601 date (e.g. 2026-11-01 or 2026-11-01T06:00)"
        )


# --- Files ---------------------------------------------------------------------------------


def check_outlets_file(settings: BaseSettings) -> list[Outlet]:
    """The outlets file exists, is TOML, has only known keys, and loads; its outlets."""
    explicit = settings.get("OUTLETS_FILE") or ""
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise UserError(f"setting OUTLETS_FILE: no file at {path}")
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise UserError(f"outlets file {path}: not valid TOML: {exc}") from None
        check_outlet_keys(data, path)
    try:
        registry = load_outlets(
            explicit or None, variables=settings.getdict("CLEANNEWS_OUTLETS_VARS")
        )
    except OutletConfigError as exc:
        raise UserError(str(exc)) from None
    for outlet in registry:
        if outlet.language:
            check_languages([outlet.language], f"outlet {outlet.id!r} language")
    return list(registry)


def outlet_keys() -> list[str]:
    """The keys an `[[outlet]]` table may have: the Outlet fields."""
    return [f.name for f in dataclasses.fields(Outlet) if f.name != "extra"]


def check_outlet_keys(data: dict[str, Any], path: Path) -> None:
    for key in data:
        if key != "outlet":
            raise UserError(
                f"outlets file {path}: unknown table or key {key!r}{did_you_mean(key, ['outlet'])}"
            )
    entries = data.get("outlet", [])
    if not isinstance(entries, list):
        raise UserError(f"outlets file {path}: expected [[outlet]] tables")
    known = outlet_keys()
    for number, entry in enumerate(entries, 1):
        name = entry.get("id", f"#{number}") if isinstance(entry, dict) else f"#{number}"
        for key in entry:
            if key not in known:
                raise UserError(
                    f"outlets file {path}: outlet {name!r}: unknown key {key!r}"
                    f"{did_you_mean(key, known)}"
                )


def check_database_path(path: str | os.PathLike[str], what: str = "setting SQLITE_PATH") -> None:
    """A database path that is a directory or a file that is not SQLite is refused."""
    target = Path(path)
    if str(path) == ":memory:":
        return
    if target.is_dir():
        raise UserError(f"{what}: {target} is a directory, not a database file")
    if target.exists():
        try:
            with target.open("rb") as stream:
                head = stream.read(len(SQLITE_MAGIC))
        except OSError as exc:
            raise UserError(f"{what}: cannot read {target}: {exc.strerror or exc}") from None
        if head and head != SQLITE_MAGIC:
            raise UserError(f"{what}: {target} is not an SQLite database")
    elif target.parent != Path("") and target.parent.exists() and not target.parent.is_dir():
        raise UserError(f"{what}: {target.parent} is not a directory")


def check_store(settings: BaseSettings) -> None:
    database_url = settings.get("DATABASE_URL") or os.environ.get("DATABASE_URL", "")
    if database_url:
        scheme = database_url.split(":", 1)[0].lower()
        if scheme not in ("sqlite", "postgresql", "postgres"):
            raise UserError(
                f"setting DATABASE_URL: scheme {scheme!r} is not supported "
                "(postgresql://... or sqlite:///PATH)"
            )
        if scheme == "sqlite":
            check_database_path(database_url.removeprefix("sqlite:///"), "setting DATABASE_URL")
        return
    path = settings.get("SQLITE_PATH") or ""
    if path:
        check_database_path(path)


def check_lock(settings: BaseSettings) -> None:
    """Another crawl holds the database's run lock: exit status 1, nothing touched."""
    if not settings.getbool("CLEANNEWS_RUN_LOCK"):
        return
    path = lock_path_for(settings)
    if path is None or not path.exists():
        return
    lock = FileLock(path)
    try:
        lock.acquire()
    except AlreadyRunning as exc:
        raise UserError(str(exc), status=EXIT_LOCKED) from None
    except OSError:
        return  # the crawl's own lock reports it
    lock.release()


# --- Spider arguments --------------------------------------------------------------------------


def spider_parameters(spidercls: type) -> list[str]:
    """The named arguments a spider's __init__ takes (its `-a NAME=VALUE`)."""
    names = []
    for klass in spidercls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        for parameter in inspect.signature(init).parameters.values():
            if parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY):
                if parameter.name not in ("self", "name") and parameter.name not in names:
                    names.append(parameter.name)
        if klass.__module__.startswith("scrapy"):
            break
    return names


# Scrapy's own spider arguments, accepted by every spider.
SCRAPY_SPIDER_ARGUMENTS = {"_job", "start_urls", "allowed_domains"}


def check_spider_arguments(
    spidercls: type, arguments: dict[str, Any], outlets: list[Outlet]
) -> None:
    """Unknown `-a` names, empty or unknown outlet ids, bad depth or since, URL inputs."""
    known = spider_parameters(spidercls)
    for name in arguments:
        if name not in known and name not in SCRAPY_SPIDER_ARGUMENTS:
            accepted = ", ".join(known) or "none"
            raise UserError(
                f"unknown spider argument -a {name}=...{did_you_mean(name, known)}; "
                f"{spidercls.name} takes: {accepted}"
            )
    if "outlets" in arguments:
        ids = [part.strip() for part in str(arguments["outlets"]).split(",") if part.strip()]
        if not ids:
            raise UserError("-a outlets= names no outlet (leave it out to crawl every outlet)")
        known_ids = [outlet.id for outlet in outlets]
        unknown = [outlet_id for outlet_id in ids if outlet_id not in known_ids]
        if unknown:
            raise UserError(
                f"-a outlets: unknown outlet id(s) {unknown}; known: {', '.join(sorted(known_ids))}"
                f"{did_you_mean(unknown[0], known_ids)}"
            )
    if arguments.get("depth") is not None:
        depth = str(arguments["depth"]).strip()
        if not depth.isdigit():
            raise UserError(f"-a depth={depth}: must be a whole number, 0 or more")
    if arguments.get("since"):
        check_iso_date(str(arguments["since"]), "-a since")
    if getattr(spidercls, "name", "") == "urls":
        check_url_arguments(arguments)


def check_url_arguments(arguments: dict[str, Any]) -> None:
    urls: list[str] = []
    if arguments.get("url"):
        urls.append(str(arguments["url"]).strip())
    if arguments.get("file"):
        path = Path(str(arguments["file"]))
        if not path.is_file():
            raise UserError(f"-a file={path}: no such file")
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError(f"-a file={path}: cannot read: {exc}") from None
        for line in lines:
            line = line.split(" #", 1)[0].strip()
            if line and not line.startswith("#"):
                urls.append(line)
        if not urls:
            raise UserError(f"-a file={path}: the file lists no URL")
    if not urls:
        raise UserError("the urls spider needs -a url=URL or -a file=PATH (one URL a line)")
    for url in urls:
        if not url.startswith(("http://", "https://")):
            raise UserError(f"not an http(s) URL: {url!r}")


# --- All of it -------------------------------------------------------------------------------


def preflight(
    settings: BaseSettings, spidercls: type | None, arguments: dict[str, Any], *, lock: bool = True
) -> None:
    """Every check, in the order a user would fix them; raises UserError on the first mistake."""
    check_setting_names(settings)
    check_setting_values(settings)
    outlets = check_outlets_file(settings)
    if spidercls is not None:
        check_spider_arguments(spidercls, arguments, outlets)
    check_store(settings)
    if lock:
        check_lock(settings)
