"""The conversation layer: router, dialog store, handlers and copy (all resident-facing Chinese text)."""
