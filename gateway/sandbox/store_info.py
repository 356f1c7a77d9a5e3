"""Store information V2 (store_information.v2.yml): ``GET /v2/store`` and ``GET /v2/time``.

Minimal but complete enough for an operator's preflight: the store's id, name, URLs,
currency and default channel.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from aiohttp import web

from . import catalog
from .keys import CONFIG, json_response


def store_id(store_hash: str) -> int:
    """A stable numeric store id per store hash (BigCommerce's ``store_id``)."""
    return 1_000_000 + int(hashlib.sha256(store_hash.encode()).hexdigest()[:6], 16) % 9_000_000


def add_routes(app: web.Application, base: str) -> None:
    app.router.add_get(f"{base}/v2/store", get_store)
    app.router.add_get(f"{base}/v2/time", get_time)


def store_body(store_hash: str, api_url: str) -> dict[str, Any]:
    storefront = f"{api_url}/stores/{store_hash}/storefront"
    return {
        "id": store_hash,
        "domain": storefront.split("://", 1)[-1],
        "secure_url": storefront,
        "control_panel_base_url": storefront,
        "status": "live",
        "name": "Sandbox Store",
        "first_name": "Sandbox",
        "last_name": "Owner",
        "address": "123 Main Street, Austin, TX 78701",
        "country": "United States",
        "country_code": "US",
        "phone": "",
        "admin_email": "owner@sandbox.example",
        "order_email": "orders@sandbox.example",
        "timezone": {
            "name": "UTC",
            "raw_offset": 0,
            "dst_offset": 0,
            "dst_correction": False,
            "date_format": {
                "display": "M jS Y",
                "export": "M jS Y",
                "extended_display": "M jS Y @ g:i A",
            },
        },
        "language": "en",
        "currency": catalog.CURRENCY,
        "currency_symbol": "$",
        "decimal_separator": ".",
        "thousands_separator": ",",
        "decimal_places": 2,
        "currency_symbol_location": "left",
        "weight_units": "Ounces",
        "dimension_units": "Inches",
        "dimension_decimal_places": 2,
        "dimension_decimal_token": ".",
        "dimension_thousands_token": ",",
        "plan_name": "Sandbox",
        "plan_level": "Sandbox",
        "plan_is_trial": False,
        "industry": "Retail",
        "logo": [],
        "is_price_entered_with_tax": False,
        "store_id": store_id(store_hash),
        "default_channel_id": 1,
        "default_site_id": 1000,
        "active_comparison_modules": [],
        "features": {
            "stencil_enabled": False,
            "sitewidehttps_enabled": False,
            "facebook_catalog_id": "",
            "checkout_type": "optimized",
            "wishlists_enabled": False,
            "graphql_storefront_api_enabled": False,
            "shopper_consent_tracking_enabled": False,
            "multi_storefront_enabled": False,
            "storefront_limits": {"active": 1, "total_including_inactive": 1},
        },
    }


async def get_store(request: web.Request) -> web.Response:
    config = request.app[CONFIG]
    return json_response(store_body(config.store_hash, config.api_url))


async def get_time(request: web.Request) -> web.Response:
    return json_response({"time": int(time.time())})
