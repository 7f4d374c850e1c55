"""Drivers above the graph: threads, runner, review inbox, perception loop, retention."""
