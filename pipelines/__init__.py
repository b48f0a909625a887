"""Scrapy item pipelines, in order: extract -> validate -> dedupe -> store.

Each component lives in its own module, reads its settings in `from_crawler`, opens resources in
`open_spider` and closes them in `close_spider`.
"""
