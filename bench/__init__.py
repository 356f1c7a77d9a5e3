"""The benchmark harness: the gateway against a textbook baseline and direct REST calls."""
