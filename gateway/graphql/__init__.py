"""The GraphQL engine around graphql-core: parsed and validated documents, limits,
safe error messages, and the executor with compiled plain selections.

graphql-core's internals (an ``IncrementalExecutor`` subclass, non-exported names)
are used here and nowhere else; nothing here knows HTTP or the checkout.
"""
