"""The Scrapy project: outlet configuration, items, settings and spiders (discover + fetch only)."""
