"""The floor: settings, embedded services, database, locks, logs, tracing, embeddings.

The only part of `chimera` that `servers/` may import.
"""
