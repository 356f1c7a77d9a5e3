"""GraphiQL served entirely from the gateway's own origin, under a strict CSP."""

from gateway.graphiql.assets import verify_assets
from gateway.graphiql.page import asset_routes, render_page
from gateway.graphiql.tabs import served_operation_types

__all__ = ["asset_routes", "render_page", "served_operation_types", "verify_assets"]
