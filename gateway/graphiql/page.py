"""Our GraphiQL page: every script and style from our own origin, pinned and CSP-locked.

The page is static for a given GraphQL endpoint, so it is rendered once and cached along
with its Content-Security-Policy, whose inline-code hashes are computed from the very
strings the page contains.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
from functools import lru_cache
from typing import Any

from starlette.responses import Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from gateway.graphiql.assets import ASSETS_DIR, manifest_files, sri_sha384, verify_assets
from gateway.graphiql.tabs import (
    ALL_OPERATION_TYPES,
    SHOPPER_TOKEN_HEADER,
    SHOPPER_TOKEN_PLACEHOLDER,
    flow_tabs,
)

ASSETS_URL_PREFIX = "/graphiql/assets"
FLOW_SCRIPT = "checkout-gateway/flow.js"

# Every URL the browser may load is versioned (npm version in the path, or our script's
# hash in its query), so a year-long immutable cache cannot serve a stale file.
ASSET_CACHE_CONTROL = "public, max-age=31536000, immutable"

# Placeholder strings of gateway/operations/variables.json, and which remembered id
# replaces each (flow.js learns those ids from results; "fresh" means a new key per send).
PLACEHOLDERS: dict[str, dict[str, Any]] = {
    "<cart id>": {"key": "cartId", "learntFrom": "CreateCart"},
    "<cart line item id>": {"key": "lineItemId", "learntFrom": "CreateCart"},
    "<consignment id>": {"key": "consignmentId", "learntFrom": "AddConsignment"},
    "<one of availableShippingOptions[].id>": {
        "key": "shippingOptionId",
        "learntFrom": "AddConsignment",
    },
    "<createOrder.order.id>": {"key": "orderId", "learntFrom": "CreateOrder"},
    "<paymentMethods[].id>": {"key": "paymentMethodId", "learntFrom": "PaymentMethods"},
    "<shopper.storedInstruments[].paymentMethodId>": {
        "key": "storedPaymentMethodId",
        "learntFrom": "PaymentMethods",
    },
    "<shopper.storedInstruments[].token>": {"key": "storedToken", "learntFrom": "PaymentMethods"},
    "<new key>": {"fresh": True},
}

# The only inline code on the page: layout that must apply before the stylesheets load.
# The page never scrolls (GraphiQL scrolls inside its panes), which also keeps the
# scroll-lock style below byte-for-byte constant. (Hidden on html, not body: the
# scroll-lock library logs an error when body itself hides overflow.)
INLINE_STYLE = "html{overflow:hidden}html,body{height:100%;margin:0}#graphiql{height:100vh}"

# GraphiQL 3.8.3's menus (Radix, via react-remove-scroll-bar) inject this <style> while a
# menu is open. Its numbers are the body's scrollbar gap, always 0 on this page, so the
# text is fixed for the pinned GraphiQL and can be allowed by hash instead of blocked.
# The browser smoke test (tests/graphiql/test_browser.py) fails if it ever changes.
SCROLL_LOCK_STYLE = (
    "\n  .with-scroll-bars-hidden {\n   overflow: hidden !important;\n"
    "   padding-right: 0px !important;\n  }\n  body {\n    overflow: hidden !important;\n"
    "    overscroll-behavior: contain;\n    position: relative !important;\n"
    "    padding-left: 0px;\n    padding-top: 0px;\n    padding-right: 0px;\n"
    "    margin-left:0;\n    margin-top:0;\n    margin-right: 0px !important;\n    \n  }\n"
    "  \n  .right-scroll-bar-position {\n    right: 0px !important;\n  }\n  \n"
    "  .width-before-scroll-bar {\n    margin-right: 0px !important;\n  }\n  \n"
    "  .right-scroll-bar-position .right-scroll-bar-position {\n    right: 0 !important;\n"
    "  }\n  \n  .width-before-scroll-bar .width-before-scroll-bar {\n"
    "    margin-right: 0 !important;\n  }\n  \n  body {\n"
    "    --removed-body-scroll-bar-size: 0px;\n  }\n"
)

# A small cart glyph; base64 so the SVG namespace URI is not mistaken for a link.
_FAVICON_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
    '<path d="M1 2h2l2 8h8l2-6H4" fill="none" stroke="#e10098" stroke-width="1.5"/>'
    '<circle cx="6" cy="13" r="1.5" fill="#e10098"/><circle cx="12" cy="13" r="1.5" '
    'fill="#e10098"/></svg>'
)
FAVICON_HREF = "data:image/svg+xml;base64," + base64.b64encode(_FAVICON_SVG.encode()).decode()

_PAGE = """<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="referrer" content="no-referrer">
    <title>checkout-gateway · GraphiQL</title>
    <link rel="icon" href="{favicon}">
{stylesheets}
    <style>{inline_style}</style>
  </head>
  <body>
    <div id="graphiql">Loading GraphiQL…</div>
    <script type="application/json" id="checkout-flow-config">{config}</script>
{scripts}
  </body>
</html>
"""


def sha256_source(text: str) -> str:
    """The CSP source expression that allows exactly this inline code."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy() -> str:
    """Only our own origin; inline code only by hash; no eval (GraphiQL 3.8.3 needs none)."""
    directives = [
        "default-src 'self'",
        "script-src 'self'",
        f"style-src 'self' {sha256_source(INLINE_STYLE)} {sha256_source(SCROLL_LOCK_STYLE)}",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
    return "; ".join(directives)


def _json_for_script_block(value: object) -> str:
    # "<" escaped so no string in the operations can close the data block early.
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")


def _flow_config(endpoint: str, operation_types: frozenset[str]) -> dict[str, Any]:
    tabs = [tab.as_json() for tab in flow_tabs(operation_types)]
    # GraphiQL keeps its tabs in sessionStorage under this name: a changed flow (new
    # documents, a new version) opens fresh tabs instead of a stale saved set.
    fingerprint = hashlib.sha256(json.dumps(tabs, sort_keys=True).encode()).hexdigest()[:12]
    return {
        "endpoint": endpoint,
        "tabs": tabs,
        "placeholders": PLACEHOLDERS,
        "shopperToken": {"header": SHOPPER_TOKEN_HEADER, "placeholder": SHOPPER_TOKEN_PLACEHOLDER},
        "storageNamespace": f"checkout-gateway.{fingerprint}",
    }


def _asset_url(relative_path: str) -> str:
    return html.escape(f"{ASSETS_URL_PREFIX}/{relative_path}", quote=True)


def render_page(
    endpoint: str = "/graphql", operation_types: frozenset[str] = ALL_OPERATION_TYPES
) -> tuple[str, str]:
    """The GraphiQL page for ``endpoint`` and the Content-Security-Policy to send with it.

    ``operation_types``: the kinds of operation the schema serves (``served_operation_types``);
    the others get no tab. Rendered once per endpoint and cached: the page is static.
    """
    return _render_page(endpoint, operation_types)


@lru_cache(maxsize=8)
def _render_page(endpoint: str, operation_types: frozenset[str]) -> tuple[str, str]:
    files = manifest_files()
    stylesheets = "\n".join(
        f'    <link rel="stylesheet" href="{_asset_url(f.relative_path)}" '
        f'integrity="{f.integrity}">'
        for f in files
        if f.kind == "style"
    )
    script_tags = [
        f'    <script src="{_asset_url(f.relative_path)}" integrity="{f.integrity}"></script>'
        for f in files
        if f.kind == "script"
    ]
    flow = (ASSETS_DIR / FLOW_SCRIPT).read_bytes()
    flow_version = hashlib.sha256(flow).hexdigest()[:16]
    script_tags.append(
        f'    <script src="{_asset_url(FLOW_SCRIPT)}?v={flow_version}" '
        f'integrity="{sri_sha384(flow)}"></script>'
    )
    page = _PAGE.format(
        favicon=FAVICON_HREF,
        stylesheets=stylesheets,
        inline_style=INLINE_STYLE,
        config=_json_for_script_block(_flow_config(endpoint, operation_types)),
        scripts="\n".join(script_tags),
    )
    return page, content_security_policy()


class _ImmutableStaticFiles(StaticFiles):
    """StaticFiles whose answers may be cached for a year and are never content-sniffed."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = ASSET_CACHE_CONTROL
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def asset_routes(*, verify: bool = True) -> list[BaseRoute]:
    """Routes serving the vendored files and our flow script under ``ASSETS_URL_PREFIX``.

    With ``verify`` (the default) a missing or altered vendored file stops start-up here,
    rather than surfacing as a blank page when the browser's integrity check fails.
    """
    if verify:
        problems = verify_assets(ASSETS_DIR)
        if problems:
            raise RuntimeError("vendored GraphiQL assets are broken:\n  " + "\n  ".join(problems))
    static = _ImmutableStaticFiles(directory=ASSETS_DIR)
    return [Mount(ASSETS_URL_PREFIX, app=static, name="graphiql-assets")]
