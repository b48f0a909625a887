"""The `cleannews` command: crawl, clean, export and inspect (see cleannews.cli).

The command is glue over the project's packages: `crawler` (spiders), `pipelines` (extraction
and storage) and `cleaners` (the library). Nothing in those packages imports this one; the
crawl settings name its Scrapy command module by string (`COMMANDS_MODULE`).
"""
