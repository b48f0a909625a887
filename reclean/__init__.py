"""Re-cleaning: stored pages cleaned again with what was learned since, saved through the store."""
