"""Configuration read from the environment, once, at start.

Two modes: *sandbox* (no store hash and no token: the embedded sandbox store
serves) and *production* (both set). One without the other, or a malformed
value, is a ``ConfigError`` whose message is the single line the CLI prints.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

PAYMENT_READ_BACK_S = 2.0  # kept, after a payment, to read its order back


class ConfigError(Exception):
    """A missing or malformed setting; the message names the variable."""


@dataclass(frozen=True)
class Timeouts:
    """Seconds allowed for one upstream call, per call class (each also bounded by the deadline)."""

    read: float = 5.0
    write: float = 10.0  # address and consignment writes wait on the tax provider
    order: float = 15.0
    payment: float = 20.0


@dataclass(frozen=True)
class BreakerSettings:
    """When the per-store circuit breaker opens, and how it tries the upstream again.

    It judges logical requests (one request with its retries is one outcome).
    """

    failure_rate: float = 0.5  # share of failed requests in the window that opens it
    window_s: float = 30.0  # the sliding window those requests are counted over
    min_calls: int = 10  # requests in the window before the rate is judged at all
    hard_down_failures: int = 5  # requests in a row that could not connect: opens at any volume
    cooldown_s: float = 10.0  # open this long, then half-open
    half_open_probes: int = 3  # requests let through half-open; all must succeed to close it


@dataclass(frozen=True)
class ExternalShopperJwt:
    """Where a federated graph's shopper JWTs are verified (``GATEWAY_SHOPPER_JWKS_URL`` etc.)."""

    jwks_url: str
    issuer: str
    audience: str
    customer_claim: str = "bc_customer_id"


@dataclass(frozen=True)
class Settings:
    store_hash: str
    access_token: str = field(repr=False)
    api_url: str
    payments_url: str
    secret: bytes = field(repr=False)
    sandbox: bool
    client_keys: tuple[str, ...] = field(default=(), repr=False)
    deadline_s: float = 25.0
    redis_url: str | None = field(default=None, repr=False)
    graphiql: bool = True
    introspection: bool = True
    debug: bool = False
    payment_methods_ttl_s: float = 60.0
    idempotency_ttl_s: float = 24 * 3600.0
    upstream_pool_size: int = 64
    timeouts: Timeouts = field(default_factory=Timeouts)
    cors_origins: tuple[str, ...] = ()
    # Abuse limits (OWASP GraphQL cheat sheet / Apollo Router defaults).
    max_body_bytes: int = 128 * 1024
    max_tokens: int = 5000
    max_depth: int = 15
    max_aliases: int = 30
    max_root_fields: int = 20
    client_rate_limit: int = 0  # requests per client per window; 0 turns it off
    client_rate_window_s: float = 60.0
    breaker: BreakerSettings = field(default_factory=BreakerSettings)
    retry_budget_ratio: float = 0.2  # retries allowed per first attempt, over time
    # Shopper identity (CONTRACT §1a).
    channel_id: int = 1
    shopper_token_ttl_s: float = 3600.0
    shopper_jwt: ExternalShopperJwt | None = None  # a federated graph's own JWTs; None: off
    signin_max_failures: int = 5  # failed sign-ins per email per window
    signin_max_failures_per_address: int = 50  # per client address (shared NATs: higher)
    signin_window_s: float = 900.0
    signin_min_duration_s: float = 0.25  # every credential check takes at least this long
    # Persisted operations (§1d): an Apollo manifest; the safelist runs only its operations.
    persisted_operations: str | None = None
    safelist: bool = False
    # Live order status (issue 17). Without a webhook secret, /webhooks/bigcommerce is not
    # served; the sandbox gets a random one per process (a --workers parent must fix one).
    webhook_secret: str | None = field(default=None, repr=False)
    subscription_heartbeat_s: float = 5.0  # multipart heartbeat while a stream is quiet
    max_subscriptions_per_connection: int = 20  # one WebSocket's concurrent subscriptions

    @property
    def payment_in_flight_s(self) -> float:
        """How long a payment already sent may still run past its request's deadline: its own
        timeout, then the order read back (the order's payment lock is held that long)."""
        return self.timeouts.payment + PAYMENT_READ_BACK_S

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        reader = _Reader(env)
        store_hash = reader.text("BIGCOMMERCE_STORE_HASH")
        token = reader.text("BIGCOMMERCE_ACCESS_TOKEN")
        if bool(store_hash) != bool(token):
            missing = "BIGCOMMERCE_ACCESS_TOKEN" if store_hash else "BIGCOMMERCE_STORE_HASH"
            raise ConfigError(
                f"{missing} is not set: set both BIGCOMMERCE_STORE_HASH and "
                "BIGCOMMERCE_ACCESS_TOKEN for a real store, or neither for the sandbox store"
            )
        sandbox = not store_hash
        if reader.text("GATEWAY_BREAKER_FAILURES"):
            # Renamed when the breaker moved from failures in a row to a failure rate: a
            # setting silently ignored would leave an operator believing it applies.
            raise ConfigError(
                "GATEWAY_BREAKER_FAILURES is gone: set GATEWAY_BREAKER_FAILURE_RATE, "
                "_MIN_CALLS or _HARD_DOWN_FAILURES instead"
            )
        secret_text = reader.text("GATEWAY_SECRET")
        if not secret_text and not sandbox:
            raise ConfigError("GATEWAY_SECRET is required with a real store (it signs order ids)")
        if secret_text and len(secret_text) < 16:
            raise ConfigError("GATEWAY_SECRET must be at least 16 characters")
        persisted_operations = reader.text("GATEWAY_PERSISTED_OPERATIONS") or None
        safelist = reader.flag("GATEWAY_SAFELIST", False)
        if safelist and not persisted_operations:
            raise ConfigError(
                "GATEWAY_SAFELIST=1 needs GATEWAY_PERSISTED_OPERATIONS (the manifest)"
            )
        webhook_secret = reader.text("GATEWAY_WEBHOOK_SECRET")
        if webhook_secret and len(webhook_secret) < 16:
            raise ConfigError("GATEWAY_WEBHOOK_SECRET must be at least 16 characters")
        if not webhook_secret and sandbox:
            webhook_secret = secrets.token_urlsafe(32)
        api_url = reader.url("BIGCOMMERCE_API_URL", "https://api.bigcommerce.com")
        payments_url = reader.url("BIGCOMMERCE_PAYMENTS_URL", "https://payments.bigcommerce.com")
        return cls(
            store_hash=store_hash or "sandbox",
            access_token=token or "",
            api_url=api_url,
            payments_url=payments_url,
            secret=secret_text.encode() if secret_text else secrets.token_bytes(32),
            sandbox=sandbox,
            client_keys=reader.keys("GATEWAY_CLIENT_KEYS"),
            deadline_s=reader.number("GATEWAY_DEADLINE_S", 25.0, low=0.5, high=600),
            redis_url=reader.text("GATEWAY_REDIS_URL") or None,
            graphiql=reader.flag("GATEWAY_GRAPHIQL", sandbox),
            introspection=reader.flag("GATEWAY_INTROSPECTION", sandbox),
            debug=reader.flag("GATEWAY_DEBUG", False),
            payment_methods_ttl_s=reader.number("GATEWAY_PAYMENT_METHODS_TTL_S", 60.0, 0, 3600),
            upstream_pool_size=int(reader.number("GATEWAY_UPSTREAM_POOL_SIZE", 64, 1, 1000)),
            timeouts=Timeouts(
                read=reader.number("GATEWAY_TIMEOUT_READ_S", 5.0, 0.1, 600),
                write=reader.number("GATEWAY_TIMEOUT_WRITE_S", 10.0, 0.1, 600),
                order=reader.number("GATEWAY_TIMEOUT_ORDER_S", 15.0, 0.1, 600),
                payment=reader.number("GATEWAY_TIMEOUT_PAYMENT_S", 20.0, 0.1, 600),
            ),
            cors_origins=reader.csv("GATEWAY_CORS_ORIGINS"),
            max_body_bytes=int(reader.number("GATEWAY_MAX_BODY_BYTES", 128 * 1024, 1024, 2**26)),
            max_tokens=int(reader.number("GATEWAY_MAX_TOKENS", 5000, 100, 10**6)),
            max_depth=int(reader.number("GATEWAY_MAX_DEPTH", 15, 2, 1000)),
            max_aliases=int(reader.number("GATEWAY_MAX_ALIASES", 30, 0, 10**5)),
            max_root_fields=int(reader.number("GATEWAY_MAX_ROOT_FIELDS", 20, 1, 10**4)),
            client_rate_limit=int(reader.number("GATEWAY_CLIENT_RATE_LIMIT", 0, 0, 10**9)),
            client_rate_window_s=reader.number("GATEWAY_CLIENT_RATE_WINDOW_S", 60.0, 0.1, 86400),
            breaker=BreakerSettings(
                failure_rate=reader.number("GATEWAY_BREAKER_FAILURE_RATE", 0.5, 0.01, 1),
                window_s=reader.number("GATEWAY_BREAKER_WINDOW_S", 30.0, 1, 3600),
                min_calls=int(reader.number("GATEWAY_BREAKER_MIN_CALLS", 10, 1, 10**6)),
                hard_down_failures=int(
                    reader.number("GATEWAY_BREAKER_HARD_DOWN_FAILURES", 5, 1, 1000)
                ),
                cooldown_s=reader.number("GATEWAY_BREAKER_COOLDOWN_S", 10.0, 0.1, 3600),
                half_open_probes=int(reader.number("GATEWAY_BREAKER_HALF_OPEN_PROBES", 3, 1, 100)),
            ),
            retry_budget_ratio=reader.number("GATEWAY_RETRY_BUDGET_RATIO", 0.2, 0, 10),
            channel_id=reader.integer("BIGCOMMERCE_CHANNEL_ID", 1, 1, 2**31 - 1),
            shopper_token_ttl_s=reader.number("GATEWAY_SHOPPER_TOKEN_TTL_S", 3600.0, 30, 7 * 86400),
            shopper_jwt=_external_shopper_jwt(reader),
            signin_max_failures=reader.integer("GATEWAY_SIGNIN_MAX_FAILURES", 5, 1, 10**6),
            signin_max_failures_per_address=reader.integer(
                "GATEWAY_SIGNIN_MAX_FAILURES_PER_ADDRESS", 50, 1, 10**6
            ),
            signin_window_s=reader.number("GATEWAY_SIGNIN_WINDOW_S", 900.0, 1, 7 * 86400),
            signin_min_duration_s=reader.number("GATEWAY_SIGNIN_MIN_DURATION_S", 0.25, 0, 10),
            persisted_operations=persisted_operations,
            safelist=safelist,
            webhook_secret=webhook_secret or None,
            subscription_heartbeat_s=reader.number(
                "GATEWAY_SUBSCRIPTION_HEARTBEAT_S", 5.0, 0.05, 300
            ),
            max_subscriptions_per_connection=int(
                reader.number("GATEWAY_MAX_SUBSCRIPTIONS_PER_CONNECTION", 20, 1, 1000)
            ),
        )

    def with_upstream(
        self, api_url: str, payments_url: str, store_hash: str, token: str
    ) -> Settings:
        """The same settings pointed at another upstream (the embedded sandbox store)."""
        return replace(
            self,
            api_url=api_url.rstrip("/"),
            payments_url=payments_url.rstrip("/"),
            store_hash=store_hash,
            access_token=token,
        )


def _external_shopper_jwt(reader: _Reader) -> ExternalShopperJwt | None:
    """A federated graph's own shopper JWTs: all or nothing beyond the customer claim.

    Issuer and audience are required with a key set: without them a token the same
    identity provider issued for another service would be accepted here.
    """
    jwks_url = reader.text("GATEWAY_SHOPPER_JWKS_URL")
    issuer = reader.text("GATEWAY_SHOPPER_JWT_ISSUER")
    audience = reader.text("GATEWAY_SHOPPER_JWT_AUDIENCE")
    claim = reader.text("GATEWAY_SHOPPER_JWT_CUSTOMER_CLAIM") or "bc_customer_id"
    if not jwks_url:
        if issuer or audience:
            raise ConfigError(
                "GATEWAY_SHOPPER_JWKS_URL is not set: the shopper JWT issuer and audience "
                "need the key set that verifies them"
            )
        return None
    for name, value in (
        ("GATEWAY_SHOPPER_JWT_ISSUER", issuer),
        ("GATEWAY_SHOPPER_JWT_AUDIENCE", audience),
    ):
        if not value:
            raise ConfigError(f"{name} is required with GATEWAY_SHOPPER_JWKS_URL")
    return ExternalShopperJwt(
        jwks_url=reader.url("GATEWAY_SHOPPER_JWKS_URL", jwks_url),
        issuer=issuer,
        audience=audience,
        customer_claim=claim,
    )


def is_loopback_url(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Reader:
    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env

    def text(self, name: str) -> str:
        return self._env.get(name, "").strip()

    def csv(self, name: str) -> tuple[str, ...]:
        return tuple(part.strip() for part in self.text(name).split(",") if part.strip())

    def keys(self, name: str) -> tuple[str, ...]:
        """Client keys: set but empty (", ") would silently turn client auth off."""
        keys = self.csv(name)
        if self.text(name) and not keys:
            raise ConfigError(f"{name} is set but names no key")
        return keys

    def flag(self, name: str, default: bool) -> bool:
        value = self.text(name)
        if not value:
            return default
        if value in ("1", "true", "yes", "on"):
            return True
        if value in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"{name} must be 1 or 0, not {value!r}")

    def number(self, name: str, default: float, low: float, high: float) -> float:
        value = self.text(name)
        if not value:
            return default
        try:
            number = float(value)
        except ValueError:
            raise ConfigError(f"{name} must be a number, not {value!r}") from None
        if not low <= number <= high:
            raise ConfigError(f"{name} must be between {low:g} and {high:g}, not {value}")
        return number

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        value = self.text(name)
        if not value:
            return default
        try:
            number = int(value)
        except ValueError:
            raise ConfigError(f"{name} must be a whole number, not {value!r}") from None
        if not low <= number <= high:
            raise ConfigError(f"{name} must be between {low} and {high}, not {value}")
        return number

    def url(self, name: str, default: str) -> str:
        value = self.text(name) or default
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"{name} must be an http(s) URL, not {value!r}")
        # TLS verification is always on; plain http is allowed only to this machine.
        if parts.scheme == "http" and not is_loopback_url(value):
            raise ConfigError(f"{name} must use https (plain http only to a loopback address)")
        return value.rstrip("/")
