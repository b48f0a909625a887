"""Helpers the tests share: local site servers, redis/PostgreSQL services, crawl commands."""
