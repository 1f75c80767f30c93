"""Handlers, one module per feature; each registers itself on a router."""
