"""Benchmarks and the synthetic repository generator (see bench/README.md)."""
