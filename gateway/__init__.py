"""checkout-gateway: a GraphQL gateway in front of BigCommerce's headless checkout APIs."""

__version__ = "0.1.0"
