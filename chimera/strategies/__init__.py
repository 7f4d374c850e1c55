"""Planner, writer and judge strategies: deterministic by default, LLM when a model is set."""
