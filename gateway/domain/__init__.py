"""Checkout and payment flows: what the gateway does, independent of GraphQL and HTTP."""
