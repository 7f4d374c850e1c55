"""The operator and reviewer web console, served by the LangGraph server (`http.app`)."""
