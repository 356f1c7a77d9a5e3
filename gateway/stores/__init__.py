"""Memory and Redis implementations of the store ports the domain declares."""
