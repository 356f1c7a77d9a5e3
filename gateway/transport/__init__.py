"""HTTP: the Starlette app served by uvicorn (GraphQL, health, readiness)."""
