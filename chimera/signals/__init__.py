"""Signals from the world: feeds and mentions, engagement snapshots, the alert stream."""
