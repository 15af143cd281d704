"""Benchmarks of exactscreen side by side with a float solver and exact peers.

Not part of the test suite: run ``python -m bench.run --help``.
"""
