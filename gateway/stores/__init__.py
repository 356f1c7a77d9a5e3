"""Memory and Redis implementations of the domain's store ports (the shared state of replicas)."""
