"""The memory MCP server: semantic memory (pgvector or Weaviate) and episodic memory."""
