"""MCP server `media`: image and short-video generation (local Pillow renderer by default)."""
