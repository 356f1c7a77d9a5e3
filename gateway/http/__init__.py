"""The HTTP edge: the Starlette app, the GraphQL endpoint and its transports, webhooks."""
