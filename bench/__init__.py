"""Load and scale benchmarks (not tests): run with `make bench-quick` / `make bench`; results in RESULTS.md."""
