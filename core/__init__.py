"""The neutral model crawler, pipelines and storage share: items, outlets, the article record.

Imports only the cleaners library (for `OutletRules` and `Article`), never crawler, pipelines or
storage, so none of them import each other to reach it.
"""
