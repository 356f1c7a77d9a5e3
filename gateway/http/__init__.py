"""HTTP: the Starlette app, the GraphQL endpoint, the guards in front of it, and the routes."""
