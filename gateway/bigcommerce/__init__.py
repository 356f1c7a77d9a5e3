"""The BigCommerce adapter: typed async calls to the management and payments hosts.

Nothing here knows GraphQL. Every failure leaves as an ``UpstreamError`` whose
code is the contract's; ``errors.py`` is the one place that mapping lives.
"""

from gateway.bigcommerce.calls import CallClass
from gateway.bigcommerce.client import BigCommerceClient, BigCommerceCustomers
from gateway.bigcommerce.errors import UpstreamError
from gateway.bigcommerce.transport import UpstreamTransport

__all__ = [
    "BigCommerceClient",
    "BigCommerceCustomers",
    "CallClass",
    "UpstreamError",
    "UpstreamTransport",
]
