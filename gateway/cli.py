"""``checkout-gateway serve | check | schema | sandbox`` (also ``python -m gateway``).

The process entry point only: it reads arguments and starts things; what is built
is decided in ``gateway.bootstrap``. Nothing imports this module.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import secrets
import sys
from collections.abc import Sequence
from typing import Any

from gateway.http.routes import GRAPHQL_PATH
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
    serve.add_argument(
        "--workers", type=int, default=1, help="worker processes (one event loop each)"
    )
    commands.add_parser(
        "check",
        help="check, without changing anything, that the store's API token has the scopes "
        "the gateway needs (same environment as serve)",
    )
    commands.add_parser("schema", help="print the subgraph SDL")
    webhooks = commands.add_parser("webhooks", help="the store's order webhooks (/v3/hooks)")
    hook_commands = webhooks.add_subparsers(dest="hook_command", required=True)
    register = hook_commands.add_parser(
        "register",
        help="create or update the hooks of store/order/statusUpdated and store/order/created "
        "(one per scope, with the GATEWAY_WEBHOOK_SECRET header)",
    )
    register.add_argument(
        "--destination", required=True, help="the gateway's https://.../webhooks/bigcommerce"
    )
    hook_commands.add_parser("list", help="show the hooks this API account has")
    manifest = commands.add_parser(
        "manifest", help="write an Apollo persisted query manifest for .graphql files"
    )
    manifest.add_argument("files", nargs="+", metavar="FILE")
    manifest.add_argument("-o", "--output", help="write here instead of standard output")
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
        if args.command == "webhooks":
            return _webhooks(args.hook_command, getattr(args, "destination", None))
        if args.command == "manifest":
            return _manifest(args.files, args.output)
        if args.command == "check":
            return _check()
        if args.command == "sandbox":
            from gateway.sandbox import run

            run(args.host, args.port, args.payments_port, args.store_hash, args.token)
            return 0
        if args.workers > 1:
            return _serve_workers(args.host, args.port, args.workers)
        return _serve(args.host, args.port)
    except ConfigError as exc:
        print(f"checkout-gateway: configuration error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"checkout-gateway: cannot start: {exc.strerror or exc}", file=sys.stderr)
        return 1


def _webhooks(command: str, destination: str | None) -> int:
    import asyncio

    from gateway.bootstrap import list_webhooks, register_webhooks

    settings = Settings.from_env()
    if settings.sandbox:
        raise ConfigError(
            "webhooks needs a store: set BIGCOMMERCE_STORE_HASH and BIGCOMMERCE_ACCESS_TOKEN "
            "(in sandbox mode serve registers its own hook)"
        )
    if command == "register":
        if not settings.webhook_secret:
            raise ConfigError("GATEWAY_WEBHOOK_SECRET is required to register webhooks")
        assert destination is not None  # argparse: required
        for done in asyncio.run(register_webhooks(settings, destination)):
            hook = done.hook
            print(f"{done.action} hook {hook.id} {hook.scope} -> {hook.destination}")
        return 0
    for hook in asyncio.run(list_webhooks(settings)):
        state = "active" if hook.is_active else "inactive"
        # Header names only: a value may be the secret.
        names = ",".join(hook.header_names) or "-"
        print(f"{hook.id} {hook.scope} {hook.destination} {state} headers={names}")
    return 0


def _manifest(files: list[str], output: str | None) -> int:
    from pathlib import Path

    from gateway.graphql.manifest import ManifestError, manifest_json

    try:
        data = manifest_json(files)
    except ManifestError as exc:
        print(f"checkout-gateway: manifest: {exc}", file=sys.stderr)
        return 1
    if output:
        Path(output).write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
    return 0


def _check() -> int:
    """Probe the configured store (or, with no credentials, the embedded sandbox store)."""
    import asyncio

    from gateway.bigcommerce.preflight import check

    settings = Settings.from_env()
    sandbox = None
    if settings.sandbox:
        from gateway.sandbox import start_in_thread

        token = secrets.token_urlsafe(24)
        sandbox = start_in_thread(port=0, payments_port=0, store_hash="sandbox", token=token)
        settings = settings.with_upstream(sandbox.api_url, sandbox.payments_url, "sandbox", token)
        print(f"checking the embedded sandbox store at {sandbox.api_url} (no credentials set)")
    else:
        print(f"checking store {settings.store_hash} at {settings.api_url}")
    try:
        report = asyncio.run(check(settings))
    finally:
        if sandbox is not None:
            sandbox.stop()
    print("\n".join(report.lines()))
    return report.exit_code


def _serve(host: str, port: int) -> int:
    import gc

    import uvicorn

    from gateway.bootstrap import create_app, install_logging
    from gateway.http.graceful_server import GracefulServer

    install_logging()
    settings = Settings.from_env()
    _check_persisted_operations(settings)
    if settings.sandbox:
        settings = _with_embedded_sandbox(settings)
        _register_own_hook(settings, host, port)
    app = create_app(settings)
    # What start-up built (modules, the schema) lives as long as the process: out of the
    # garbage collector's passes, which then walk only what requests and connections make.
    gc.collect()
    gc.freeze()
    config = uvicorn.Config(app, **_uvicorn_options(host, port, settings))
    # Subscriptions end with 1001 / the multipart end before uvicorn shuts connections.
    GracefulServer(config, app.state.live_status.live).run()
    return 0


def _register_own_hook(settings: Settings, host: str, port: int) -> None:
    """Sandbox mode: the embedded store calls this gateway back, so a subscription opened in
    GraphiQL sees a payment land."""
    import asyncio

    from gateway.bootstrap import register_webhooks
    from gateway.http.webhooks import WEBHOOK_PATH

    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104
    shown = f"[{shown}]" if ":" in shown else shown
    destination = f"http://{shown}:{port}{WEBHOOK_PATH}"
    asyncio.run(register_webhooks(settings, destination))
    log.info("sandbox mode: order webhooks go to %s", destination)


def _check_persisted_operations(settings: Settings) -> None:
    """A bad manifest stops the start before anything else starts (workers, the sandbox)."""
    if settings.persisted_operations:
        from gateway.bootstrap import create_app

        create_app(settings)  # raises ConfigError naming the operation


def _uvicorn_options(host: str, port: int, settings: Settings) -> dict[str, Any]:
    from gateway.http.one_write import OneWriteHttpToolsProtocol

    shown = f"[{host}]" if ":" in host else host
    log.info(
        "serving GraphQL at http://%s:%d%s (%s)",
        shown,
        port,
        GRAPHQL_PATH,
        "GraphiQL in a browser there" if settings.graphiql else "GraphiQL off",
    )
    return {
        "host": host,
        "port": port,
        "loop": "uvloop",
        # httptools, each answer's head and body in one write (gateway/http/one_write.py).
        "http": OneWriteHttpToolsProtocol,
        # WebSockets without a task per connection (the legacy implementation runs two),
        # and wsproto rather than websockets-sansio: it keeps less of the handshake (the
        # request's headers parsed twice over), ~4 KB less per connection, measured with
        # 1,000 subscriptions (README, "Live order status at scale"). graphql-ws pings on
        # its own.
        "ws": "wsproto",
        # No permessage-deflate: uvicorn offers it by default and browsers accept, so each
        # WebSocket kept ~30 KB of zlib state for frames of a hundred bytes (issue 17's
        # 5,000 subscriptions measured in bench/README.md).
        "ws_per_message_deflate": False,
        "access_log": False,  # ours is one JSON line per request, with the request id
        "log_level": "warning",
        # In-flight requests (a payment included) finish within the deadline before closing.
        "timeout_graceful_shutdown": math.ceil(settings.deadline_s) + 1,
        # The client address (the per-address sign-in limit counts it) is the peer's:
        # X-Forwarded-For is any client's to write, so it is read only from proxies the
        # operator names in FORWARDED_ALLOW_IPS (uvicorn's own setting, read by uvicorn).
        "proxy_headers": bool(os.environ.get("FORWARDED_ALLOW_IPS")),
    }


def _serve_workers(host: str, port: int, workers: int) -> int:
    """N uvicorn workers on one port; each builds its app from the environment.

    The parent starts the one embedded sandbox (sandbox mode), fixes one
    GATEWAY_SECRET so every worker decodes every order id, and gives
    prometheus-client a directory where the workers' metrics add up.
    """
    import shutil
    import tempfile

    import uvicorn

    from gateway.bootstrap import SANDBOX_ENV, install_logging

    install_logging()
    settings = Settings.from_env()
    _check_persisted_operations(settings)
    if settings.sandbox:
        settings = _with_embedded_sandbox(settings)
        values = (settings.api_url, settings.payments_url, settings.access_token)
        os.environ.update(dict(zip(SANDBOX_ENV, values, strict=True)))
        _register_own_hook(settings, host, port)
    os.environ.setdefault("GATEWAY_SECRET", secrets.token_hex(32))  # sandbox mode only
    if settings.webhook_secret:  # every worker checks callbacks against the one secret
        os.environ.setdefault("GATEWAY_WEBHOOK_SECRET", settings.webhook_secret)
    metrics_dir = None
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        metrics_dir = tempfile.mkdtemp(prefix="checkout-gateway-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    from gateway.http.graceful_workers import graceful_workers

    try:
        # Each worker drains its subscriptions (1001 / the multipart end) before it stops.
        with graceful_workers():
            uvicorn.run(
                "gateway.bootstrap:app_from_env",
                factory=True,
                workers=workers,
                **_uvicorn_options(host, port, settings),
            )
    finally:
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)
    return 0


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
