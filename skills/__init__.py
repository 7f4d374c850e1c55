"""Capability packages: trend detection, multimodal content, transactions (later issues)."""
