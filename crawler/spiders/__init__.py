"""Spiders: `outlets` (discovery through feeds, sitemaps, start pages) and `urls` (one-off runs)."""
