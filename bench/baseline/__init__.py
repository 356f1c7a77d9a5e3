"""A textbook Strawberry gateway over the same REST calls: the benchmark's baseline."""
