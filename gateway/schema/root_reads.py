"""Root reads resolved by graphql-core itself, without Strawberry's resolver wrapper.

Strawberry wraps every field with a resolver: per call it builds its Info, converts
the arguments (``get_arguments``/``convert_argument``), runs the field-extension
chain and awaits the resolver in a coroutine of its own. The root reads below take
only ID arguments, which graphql-core hands over already coerced to ``str``, and
have no extensions or permissions: their resolvers here do what the Strawberry
resolvers of ``gateway.schema.resolvers`` do (both call the same function) with
graphql-core's ``(source, info, **arguments)``; ``info.context`` is the same Context.
The Strawberry fields stay the schema's definition (SDL, types, descriptions).

The checkout and order reads go through the request's memo (``Context.loaders``): the
executor may run such a lone root read without graphql-core's field machinery and, when
the answer does not fit, run the operation again the ordinary way
(``gateway.graphql.executor``); paymentMethods' upstream failures are not memoized, so
it always runs the ordinary way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from graphql import GraphQLObjectType, GraphQLSchema
from strawberry.types.field import StrawberryField

from gateway.domain.models import Checkout, Order, PaymentMethod
from gateway.graphql.plain_readers import context_field, context_reader
from gateway.schema.context import Context
from gateway.schema.query_errors import answer

DEFINITION = "strawberry-definition"


def read_checkout(context: Context, checkout_id: str) -> Awaitable[Checkout]:
    return answer(context.loaders.checkouts.load(checkout_id))


def read_order(context: Context, order_id: str) -> Awaitable[Order]:
    return answer(context.loaders.orders.load(order_id))


def read_payment_methods(context: Context, order_id: str) -> Awaitable[list[PaymentMethod]]:
    work = context.payments.payment_methods(order_id, context.shopper)
    return answer(work)


# Query field (GraphQL name) -> (its one argument's GraphQL name, the read, whether the
# read is repeatable: through the request's memo, so a second call asks nothing upstream).
DIRECT: dict[str, tuple[str, Callable[[Context, str], Awaitable[Any]], bool]] = {
    "checkout": ("id", read_checkout, True),
    "order": ("id", read_order, True),
    "paymentMethods": ("orderId", read_payment_methods, False),
}


def read_shopper(context: Context) -> Awaitable[Any] | None:
    """The signed-in shopper's profile; a guest's null at once, not awaited: beside another
    async root field (PaymentMethods selects paymentMethods and shopper) a second awaitable
    makes graphql-core gather both in tasks, +40% CPU on the cached query (bench/README.md).
    """
    if context.shopper is None:
        return None
    return answer(context.shopper_flows().profile(context.shopper))


# Query fields without arguments -> the read.
DIRECT_WITHOUT_ARGUMENTS: dict[str, Callable[[Context], Awaitable[Any] | None]] = {
    "shopper": read_shopper,
}


def _without_extensions(query: GraphQLObjectType, name: str) -> None:
    definition = (query.fields[name].extensions or {}).get(DEFINITION)
    # The wrapper would run extensions (permissions are one) the plain resolver skips.
    if not isinstance(definition, StrawberryField) or definition.extensions:
        raise TypeError(f"Query.{name} has field extensions: keep Strawberry's resolver")


def resolve_root_reads_directly(schema: GraphQLSchema) -> None:
    """Swap the Strawberry wrappers of the ``DIRECT`` root fields for plain resolvers."""
    query = schema.query_type
    if not isinstance(query, GraphQLObjectType):
        raise TypeError("the schema has no query type")
    for name, (argument, read, repeatable) in DIRECT.items():
        _without_extensions(query, name)
        field = query.fields[name]
        if list(field.args) != [argument]:
            raise TypeError(f"Query.{name} takes {list(field.args)}, not [{argument!r}]")
        field.resolve = context_reader(argument, read, repeatable=repeatable)
    for name, read_field in DIRECT_WITHOUT_ARGUMENTS.items():
        _without_extensions(query, name)
        field = query.fields[name]
        if field.args:
            raise TypeError(f"Query.{name} takes {list(field.args)}, not none")
        field.resolve = context_field(read_field)
