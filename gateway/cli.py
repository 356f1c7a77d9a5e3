"""``checkout-gateway serve | schema | sandbox`` (also ``python -m gateway``)."""

from __future__ import annotations

import argparse
import logging
import math
import secrets
import sys
from collections.abc import Sequence

from gateway.settings import ConfigError, Settings

log = logging.getLogger("gateway")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="checkout-gateway",
        description="A GraphQL gateway in front of BigCommerce's headless checkout APIs.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the GraphQL API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    commands.add_parser("schema", help="print the subgraph SDL")
    sandbox = commands.add_parser("sandbox", help="run the sandbox BigCommerce store alone")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8100)
    sandbox.add_argument("--payments-port", type=int, default=8101)
    sandbox.add_argument("--store-hash", default="sandbox")
    sandbox.add_argument("--token", default="sandbox-token")
    args = parser.parse_args(argv)
    try:
        if args.command == "schema":
            from gateway.schema import sdl

            sys.stdout.write(sdl())
            sys.stdout.write("\n")
            return 0
        if args.command == "sandbox":
            from gateway.sandbox import run

            run(args.host, args.port, args.payments_port, args.store_hash, args.token)
            return 0
        return _serve(args.host, args.port)
    except ConfigError as exc:
        print(f"checkout-gateway: configuration error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"checkout-gateway: cannot start: {exc.strerror or exc}", file=sys.stderr)
        return 1


def _serve(host: str, port: int) -> int:
    import uvicorn

    from gateway.transport.app import create_app

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    _redact_card_data()
    settings = Settings.from_env()
    if settings.sandbox:
        settings = _with_embedded_sandbox(settings)
    app = create_app(settings)
    uvicorn.run(
        app,
        host=host,
        port=port,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level="warning",
        # In-flight requests (a payment included) finish within the deadline before closing.
        timeout_graceful_shutdown=math.ceil(settings.deadline_s) + 1,
    )
    return 0


def _redact_card_data() -> None:
    """PCI DSS: no card number or CVV in any log line, whichever logger wrote it."""
    from gateway.redaction import install

    card_filter = install()  # the root logger's handlers
    for name in ("gateway", "uvicorn.error"):  # records logged there directly, too
        logging.getLogger(name).addFilter(card_filter)


def _with_embedded_sandbox(settings: Settings) -> Settings:
    from gateway.sandbox import start_in_thread

    token = secrets.token_urlsafe(24)
    handle = start_in_thread(
        host="127.0.0.1", port=0, payments_port=0, store_hash="sandbox", token=token
    )
    log.info(
        "sandbox mode: no BigCommerce credentials are set, so the embedded sandbox store serves "
        "(management API %s, payments API %s)",
        handle.api_url,
        handle.payments_url,
    )
    return settings.with_upstream(handle.api_url, handle.payments_url, "sandbox", token)
