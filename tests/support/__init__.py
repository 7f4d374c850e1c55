"""Test support shared by the unit, integration and e2e suites: helpers, fakes and replays."""
