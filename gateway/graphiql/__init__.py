"""GraphiQL served entirely from the gateway's own origin, under a strict CSP."""

from gateway.graphiql.assets import verify_assets
from gateway.graphiql.page import asset_routes, render_page

__all__ = ["asset_routes", "render_page", "verify_assets"]
