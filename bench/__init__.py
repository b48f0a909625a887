"""Benchmarks: scripts that print figures (extraction quality, speed); not part of the test run."""
