"""Staff dashboard tests."""
