"""Model files of the cleaners (JSON), read by importlib.resources (cleaners/block_model.py)."""
