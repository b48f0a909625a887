"""Scrapy settings for the cleannews crawler.

Grouped like Scrapy's own default_settings.py; every project setting carries the `CLEANNEWS_`
prefix except the three that users type most (`OUTLETS_FILE`, `SQLITE_PATH`, `DATABASE_URL`),
whose names the README and issues use. Each comment gives meaning, default and unit.
Override any of them with `scrapy crawl NAME -s SETTING=value`.
"""

from __future__ import annotations

from cleaners.profile import DEFAULT_THRESHOLDS, DEFAULT_WINDOW_PAGES

BOT_NAME = "cleannews"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# --- Politeness -----------------------------------------------------------------------------
# An honest User-Agent that names the project and where to read about it.
USER_AGENT = "cleannews/0.1 (+https://github.com/cleannews/cleannews; news text research crawler)"
# Obey robots.txt (Scrapy's RobotsTxtMiddleware with the Protego parser).
ROBOTSTXT_OBEY = True
# AutoThrottle adapts the delay to each server's latency; start at 1 s, never above 30 s.
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
# Average number of requests in flight to each remote server.
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4

# --- Robustness -----------------------------------------------------------------------------
# Retry transient errors (5xx, 408, 429, timeouts, connection resets) up to 2 times.
RETRY_ENABLED = True
RETRY_TIMES = 2
# Seconds before a request is given up (then retried, then recorded as a failure).
DOWNLOAD_TIMEOUT = 30
# Largest response body accepted, in bytes (a bigger one is cancelled and recorded); 10 MiB.
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
# Redirect loops end here and become failures.
REDIRECT_MAX_TIMES = 10
# A redirect back into its own chain fails at once (the duplicate filter would drop it silently);
# 650 runs just before Scrapy's RedirectMiddleware (600) on responses.
DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.RedirectLoopMiddleware": 650,
    # Redirects (3xx and meta refresh) followed only within the outlet (crawler/fetch_policy.py):
    # Scrapy's two redirect middlewares replaced by subclasses at their own places.
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.fetch_policy.OutletRedirectMiddleware": 600,
    "crawler.fetch_policy.OutletMetaRefreshMiddleware": 580,
    # URL length, scheme and address checks before any download; 570 sees a DNS refusal before
    # RetryMiddleware (550) would retry it.
    "crawler.fetch_policy.FetchPolicyMiddleware": 570,
}

# --- What may be fetched (crawler/fetch_policy.py, docs/security.md) -------------------------
# Connect to loopback, private, link-local and other non-public addresses (whether written in a
# URL or answered by DNS). None (default): the environment variable of the same name, else False.
# The bundled demo and the tests set it, since they crawl 127.0.0.1.
CLEANNEWS_ALLOW_PRIVATE_ADDRESSES: bool | None = None
# Host name -> IP address answered without DNS, like /etc/hosts (trusted as written, even a
# private address); default none. E.g. -s CLEANNEWS_HOSTS='{"news.example": "10.0.0.5"}'.
CLEANNEWS_HOSTS: dict[str, str] = {}
# Every connection's host name (IP literals included) is resolved by this resolver, which drops
# non-public answers unless the setting above allows them.
TWISTED_DNS_RESOLVER = "crawler.fetch_policy.GuardedResolver"
# Longest URL fetched, in characters (Scrapy's default 2083); a longer one is a `url_too_long`
# failure. Scrapy's UrlLengthMiddleware, which drops such links silently, is off.
URLLENGTH_LIMIT = 2083
# Only http and https are fetched: Scrapy's handlers for other schemes are switched off.
DOWNLOAD_HANDLERS = {"file": None, "data": None, "ftp": None, "s3": None}

# --- Outlets --------------------------------------------------------------------------------
# TOML file of outlets to crawl; empty means the default shipped in crawler/outlets.toml.
OUTLETS_FILE = ""
# Values for `{name}` placeholders in the URLs of the outlets file (a dict, or JSON on the command
# line: -s CLEANNEWS_OUTLETS_VARS='{"port": "8123"}'); default none. Used by the bundled demo site.
CLEANNEWS_OUTLETS_VARS: dict[str, str] = {}
# Listing-page hops followed beyond each outlet's start_urls (0: start pages only); `-a depth=N`.
CLEANNEWS_LISTING_DEPTH = 0
# Skip sitemap and sitemap-index entries whose lastmod is older than this ISO date ("" = no
# limit); `-a since=2026-11-01` does the same for one run.
CLEANNEWS_SINCE = ""
# Sitemap indexes nested below a configured sitemap (or robots.txt) that are still followed; a
# deeper index is a `sitemap_depth` failure. Default 3 (levels).
CLEANNEWS_SITEMAP_MAX_DEPTH = 3
# Sitemaps found through robots.txt and sitemap indexes that one process reads per outlet and run;
# past it, one `sitemap_limit` failure for the outlet. Default 500 (sitemaps).
CLEANNEWS_SITEMAP_MAX_PER_OUTLET = 500

# --- Storage --------------------------------------------------------------------------------
# SQLite database file the store pipeline writes (created with its directories if missing).
SQLITE_PATH = "data/articles.db"
# Keep each page's raw HTML, zlib-compressed, in the `pages` table (needed for re-cleaning).
CLEANNEWS_STORE_RAW_HTML = False
# Items written per database transaction; a crash loses at most the one open batch; default 50.
CLEANNEWS_BATCH_SIZE = 50
# Seconds after which a half-full batch is committed anyway (and always on close); default 5.
CLEANNEWS_FLUSH_INTERVAL = 5.0

# --- Validation -----------------------------------------------------------------------------
# A body with fewer words than this is recorded as a `too_short` failure instead of stored.
CLEANNEWS_MIN_WORDS = 50
# Languages to keep (ISO 639-1 codes, e.g. ["en", "de"]); an article detected in another one
# is recorded as a `wrong_language` failure. Empty (default): every language is kept.
CLEANNEWS_LANGUAGES: list[str] = []

# --- Learned boilerplate (pipelines/learn.py, cleaners/profile/) ---------------------------
# Learn each outlet's template from its own pages: count every cleaned page's text blocks per
# outlet in the database (boilerplate_* tables) and clean each page with what was learned so far.
# Needs SQLITE_PATH; `python -m cleaners reclean` re-cleans the pages cleaned before (needs
# CLEANNEWS_STORE_RAW_HTML). Default on.
CLEANNEWS_LEARN_BOILERPLATE = True
# The thresholds' defaults are the cleaners' own (cleaners.profile.DEFAULT_THRESHOLDS), which
# library users and `python -m cleaners` get too; the numbers below are those defaults.
# Pages of an outlet counted before anything is learned from them; default 5.
CLEANNEWS_PROFILE_MIN_PAGES = DEFAULT_THRESHOLDS.min_pages
# A block of at most this many words is a short line (a disclaimer, "Related stories"); longer
# ones are paragraphs; default 12.
CLEANNEWS_PROFILE_SHORT_MAX_WORDS = DEFAULT_THRESHOLDS.short_max_words
# Share of an outlet's pages (0-1) a short line must be on to be its boilerplate; default 0.3.
CLEANNEWS_PROFILE_SHORT_SHARE = DEFAULT_THRESHOLDS.short_share
# Share a paragraph must be on; higher, so a quote repeated in follow-up stories stays; 0.6.
CLEANNEWS_PROFILE_LONG_SHARE = DEFAULT_THRESHOLDS.long_share
# Fewest pages any learned block must have been seen on; default 3.
CLEANNEWS_PROFILE_MIN_BLOCK_PAGES = DEFAULT_THRESHOLDS.min_block_pages
# Fewest pages a learned paragraph must have been seen on, so a run of follow-up stories early
# in a crawl is not learned; default 5.
CLEANNEWS_PROFILE_MIN_PARAGRAPH_PAGES = DEFAULT_THRESHOLDS.min_paragraph_pages
# Counts describe each outlet's this many most recently recorded pages; older pages are
# uncounted as new ones come, so the crawl's memory and the learning tables stay bounded and a
# dropped template is forgotten. 0 counts every page ever recorded; default 1000 (pages).
CLEANNEWS_PROFILE_WINDOW_PAGES = DEFAULT_WINDOW_PAGES

# --- Pipelines ------------------------------------------------------------------------------
ITEM_PIPELINES = {
    "pipelines.extract.ExtractPipeline": 100,
    # Writes the block counts the extract step makes (off unless CLEANNEWS_LEARN_BOILERPLATE).
    "pipelines.learn.LearnPipeline": 150,
    "pipelines.validate.ValidatePipeline": 200,
    "pipelines.dedupe.DedupePipeline": 300,
    "pipelines.store.StorePipeline": 900,
}

# --- Extraction workers (pipelines/workers.py) ---------------------------------------------
# Worker processes that clean pages off the reactor thread, so downloads and storage go on while
# every core extracts. None (default): one per CPU this process may use; 0: clean in the crawl
# process (the reactor waits for each page).
CLEANNEWS_EXTRACT_WORKERS: int | None = None
# Seconds one page may take in a worker before the worker is killed and replaced and the page
# recorded as an `extract_timeout` failure; 0 = no limit (in-process cleaning has none). Default 60.
CLEANNEWS_EXTRACT_TIMEOUT = 60.0
# Pages queued for or held by the workers at most; more wait in Scrapy's scraper, which then
# stops downloading (its back-out), so memory stays bounded. None (default): 4 per worker.
CLEANNEWS_EXTRACT_MAX_PENDING: int | None = None
# Items (and requests) of one response processed in parallel: Scrapy starts this many tasks
# for every response, and an article response holds one Page, so Scrapy's 100 is only overhead
# on the reactor thread (~1 ms a page at 100, ~0.3 ms at 16). 2 here: the page's item, and
# the requests a response may also yield, do not wait for each other.
CONCURRENT_ITEMS = 2
# Pages after which a worker is replaced by a fresh process (a guard against a leaking
# parser); 0 (default): never.
CLEANNEWS_EXTRACT_WORKER_MAX_PAGES = 0
# Address space (RLIMIT_AS) of each extraction worker, in MiB: a page that needs more fails as
# `memory_limit` and its worker is replaced. 0: no limit. Default 1024 (a worker idles at ~180).
CLEANNEWS_EXTRACT_WORKER_MEMORY_MB = 1024
# A JSON-LD block larger than this many bytes is cut from the page before it is parsed (the page
# is still cleaned). 0: no limit. Default 512 KiB.
CLEANNEWS_MAX_JSONLD_BYTES = 512 * 1024
# A page larger than this many bytes (after cutting oversized JSON-LD) is not parsed: a `too_large`
# failure. 0: no limit (DOWNLOAD_MAXSIZE still applies). Default 5 MiB.
CLEANNEWS_MAX_HTML_BYTES = 5 * 1024 * 1024
# The function workers apply to each page, as "module:function" taking a
# pipelines.workers.ExtractionJob and returning an ExtractionOutcome; "" (default) is
# pipelines.workers.run_job, i.e. cleaners.extract_article.
CLEANNEWS_EXTRACT_FUNCTION = ""
# Thresholds of Python's cyclic garbage collector in the crawl process and the workers, as
# "gen0,gen1,gen2" for gc.set_threshold; what start-up made is frozen out of its passes
# (crawler/gc_tuning.py). Python's own 700,10,10 spent ~15% of the crawl process's CPU in full
# passes over the long-lived heap. "" keeps Python's settings.
CLEANNEWS_GC_THRESHOLDS = "50000,20,10"

# --- Scale-out (crawler/scale.py; needs the `scale` extra) ----------------------------------
# Redis URL of a frontier shared by several crawler processes (scrapy-redis scheduler and
# duplicate filter); "" (default) keeps Scrapy's own in-memory scheduler. The environment
# variable REDIS_URL is read when the setting is empty.
REDIS_URL = ""
# Name of the shared crawl: processes with the same spider, REDIS_URL and job share one queue and
# one set of seen requests; default "default".
CLEANNEWS_REDIS_JOB = "default"
# Seconds the shared frontier must stay quiet (nothing queued, no other process busy) before an
# idle process closes; default 10.
CLEANNEWS_REDIS_IDLE_CLOSE = 10.0
# Seconds between a process's heartbeats in Redis (alive, busy or idle); default 1.
CLEANNEWS_REDIS_HEARTBEAT = 1.0
# Seconds without a heartbeat after which a process counts as gone (crashed); default 30.
CLEANNEWS_REDIS_WORKER_TIMEOUT = 30.0
# Seconds a Redis call of the shared frontier is retried (waits doubling from 0.25 s, at most 2 s)
# before the crawl stops with the finish reason `frontier_error` (exit status 1), logging every
# request it could not queue; default 10. Leased requests are never lost (crawler/leases.py).
CLEANNEWS_REDIS_RETRY_SECONDS = 10.0
# Prefix of the shared crawl's Redis keys; set by ScaleOutAddon from the spider's name and
# CLEANNEWS_REDIS_JOB ("cleannews:%(spider)s:<job>"); "" (default) until the add-on sets it.
CLEANNEWS_REDIS_KEY_PREFIX = ""
# Shared store: a postgresql:// URL makes the store pipeline write to PostgreSQL (psycopg 3)
# instead of SQLITE_PATH; "" (default) keeps SQLite. The environment variable DATABASE_URL is
# read when the setting is empty.
DATABASE_URL = ""
# Scrapy add-ons: ScaleOutAddon switches the above on when REDIS_URL is set.
ADDONS = {"crawler.scale.ScaleOutAddon": 0}

# --- Cron safety (crawler/lock.py, crawler/incremental.py, crawler/commands/crawl.py) ----------
# Hold an exclusive OS lock on `<SQLITE_PATH>.lock` for the whole run: a second crawl of the same
# database exits at once with status 1 and touches nothing. Default on.
CLEANNEWS_RUN_LOCK = True
# Lock file to use instead of `<SQLITE_PATH>.lock` ("" = derived from the database; a PostgreSQL
# store takes no lock unless this names one).
CLEANNEWS_LOCK_FILE = ""
# Skip article URLs already stored, or recorded as a permanent failure, by an earlier run
# (discovery pages are always fetched). Default on; `-s CLEANNEWS_INCREMENTAL=false` refetches all.
CLEANNEWS_INCREMENTAL = True
# Re-visit stored articles younger than this many hours (by published date, else first seen) with a
# conditional request (If-None-Match / If-Modified-Since); 304 = unchanged. 0 (default): never.
CLEANNEWS_REVISIT_HOURS = 0.0
# Failures that are not retried by later runs: a reason, or `reason:status` for HTTP errors.
CLEANNEWS_PERMANENT_FAILURES = [
    "http_error:404", "http_error:410", "http_error:451",
    "not_html", "not_article", "too_short", "wrong_language",
]
# Finish reasons that make `scrapy crawl` exit with status 1 (a crawl stopped by a storage fault).
CLEANNEWS_FAILING_FINISH_REASONS = ["storage_error", "frontier_error"]
# Seconds a database write waits for another connection's lock before the crawl stops with a
# storage error; default 30.
CLEANNEWS_SQLITE_BUSY_TIMEOUT = 30.0
# `scrapy crawl` with the checks of cleannews/checks.py before the crawl (cleannews/commands/).
COMMANDS_MODULE = "cleannews.commands"
EXTENSIONS = {
    # Built first (before the engine, the pipelines and JOBDIR state are touched).
    "crawler.lock.RunLock": -1000,
    # JOBDIR across runs: a finished job starts afresh, a paused one resumes, a killed one
    # (whose queue was never saved) is discarded.
    "crawler.incremental.JobStateGuard": 500,
    # Fewer full passes of the cyclic garbage collector (see crawler/gc_tuning.py).
    "crawler.gc_tuning.CollectorTuning": 600,
    # Refused pages at INFO, a progress line every LOGSTATS_INTERVAL seconds (articles and
    # failures apart, pages/s) in place of Scrapy's LogStats, and a summary at the end.
    "cleannews.crawlreport.CrawlReport": 700,
    "scrapy.extensions.logstats.LogStats": None,
}
SPIDER_MIDDLEWARES = {
    # Drops known article URLs and turns re-visits into conditional requests.
    "crawler.incremental.IncrementalMiddleware": 950,
    # Over-long URLs become `url_too_long` failures in crawler.fetch_policy instead.
    "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None,
}

# --- Scrapy housekeeping --------------------------------------------------------------------
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False
# Scrapy's remote-control HTTP server (it runs Python code sent to it, and writes its port and
# token to a file in the user's profile) is off; set True only on a machine you alone use.
REMOTE_CONTROL_ENABLED = False
