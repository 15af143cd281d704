"""Benchmarks of exactscreen side by side with a float solver and exact peers.

Not part of the test suite.  ``python -m bench.cli`` times the user's command
(``exactscreen solve FILE --json``, whole process) against a whole-process HiGHS
solve; ``python -m bench.run`` and ``python -m bench.scale`` time library functions.
"""
