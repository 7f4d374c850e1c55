"""The OpenClaw bridge: presence, trend signals and collaborations between agents."""
