"""Scrapy project commands (COMMANDS_MODULE): `scrapy crawl` with the project's checks first."""
