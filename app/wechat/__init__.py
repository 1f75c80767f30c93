"""WeChat plumbing: callback crypto and parsing, reply rendering, dedup, and the API client."""
