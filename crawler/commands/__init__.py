"""Project commands for `scrapy` (COMMANDS_MODULE): `crawl` with an exit status cron can trust."""
