"""Test support: real services, servers on threads, and the WeChat client helper."""
