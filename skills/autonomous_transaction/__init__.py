"""autonomous_transaction (CONTRACTS §5.3): pay from the agent's wallet within hard caps.

`execute_transaction(**input)` is the zero-configuration sync entry (CONTRACTS §7): it opens the
embedded services and a host on the wallet server itself, in a fresh event loop, and returns the
§5.3 receipt as a plain dict. `aexecute_transaction(host, **input)` is the async twin the graph
calls with its own host.
"""

from skills.autonomous_transaction.entry import execute_transaction
from skills.autonomous_transaction.run import aexecute_transaction

__all__ = ["aexecute_transaction", "execute_transaction"]
