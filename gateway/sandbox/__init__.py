"""The sandbox store: an in-memory emulation of the BigCommerce REST APIs the checkout uses.

Standalone on purpose: nothing here imports the rest of ``gateway`` (an emulator that
shared the client's code would share its bugs).
"""

from .callbacks import Delivery
from .faults import Fault, FaultRegistry
from .recorder import RecordedRequest
from .server import SandboxServer, ThreadedSandbox, run, start_in_thread
from .state import SandboxState

__all__ = [
    "Delivery",
    "Fault",
    "FaultRegistry",
    "RecordedRequest",
    "SandboxServer",
    "SandboxState",
    "ThreadedSandbox",
    "run",
    "start_in_thread",
]
