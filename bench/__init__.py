"""Chimera benchmarks (ARCHITECTURE §9): run with `python -m bench <name>`; never part of the tests.

Each benchmark prints a table and writes JSON to `bench/results/<name>.json` (git-ignored).
"""
