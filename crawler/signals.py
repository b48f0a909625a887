"""The project's own Scrapy signals (sent with `crawler.signals.send_catch_log`)."""

# Sent by the store pipeline after each committed batch (no arguments): every item that left the
# pipelines before it is durable. The shared frontier acknowledges its leases on it.
batch_committed = object()
