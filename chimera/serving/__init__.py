"""The LangGraph server's side: graph factories, process resources, auth."""
