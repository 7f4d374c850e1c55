"""Control-plane repositories: the runtime's SQL, one module per table family."""
