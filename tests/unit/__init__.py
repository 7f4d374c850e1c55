"""Fast, pure unit tests (no database, no subprocess); see specs/_meta.md §4."""
