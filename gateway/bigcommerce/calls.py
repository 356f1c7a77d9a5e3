"""The kinds of upstream call, and what a failure of each may have done at BigCommerce.

The class decides the call's timeout and, with whether an answer came back, the
``Effect`` its error carries: the one fact the transport's retries and the
domain's idempotency keys are decided from.
"""

from __future__ import annotations

from enum import Enum

from gateway.errors import Effect


class CallClass(Enum):
    READ = "read"
    WRITE = "write"  # addresses and consignments: idempotent in effect but slow (tax provider)
    TOKEN = "token"  # noqa: S105 (a call class, not a secret). Minting a PAT: a spare unused token harms nothing
    ORDER = "order"
    PAYMENT = "payment"

    def effect(self, *, answered: bool) -> Effect:
        """The effect of a failed call that was sent.

        ``answered``: BigCommerce gave a definite answer (a refusal); otherwise the answer
        was lost or unreadable. A read or a PAT acts on nothing that matters, so it may be
        sent again; a write answered is an outcome, and one with no answer may have acted.
        """
        if self in (CallClass.READ, CallClass.TOKEN):
            return Effect.NONE
        return Effect.APPLIED if answered else Effect.UNKNOWN
