"""HTTP: the Starlette app, the GraphQL endpoint and its transports, guards, webhooks."""
