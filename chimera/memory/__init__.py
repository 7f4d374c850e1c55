"""Memory glue: episodic memory in Redis, recall before a run, remembering after it."""
