"""MCP server `social`: the sandbox social platform (posts, replies, mentions) in Postgres."""
