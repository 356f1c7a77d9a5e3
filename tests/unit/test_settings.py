"""Settings: defaults, parsing, and one-line errors naming the variable.

Shopper identity, then the live order status (webhook secret, heartbeat, subscriptions).
"""

from __future__ import annotations

import pytest

from gateway.settings import ConfigError, ExternalShopperJwt, Settings

JWKS = {
    "GATEWAY_SHOPPER_JWKS_URL": "https://idp.example.test/.well-known/jwks.json",
    "GATEWAY_SHOPPER_JWT_ISSUER": "https://idp.example.test/",
    "GATEWAY_SHOPPER_JWT_AUDIENCE": "checkout-gateway",
}


def test_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.channel_id == 1
    assert settings.shopper_token_ttl_s == 3600
    assert settings.shopper_jwt is None
    assert (settings.signin_max_failures, settings.signin_window_s) == (5, 900)
    assert settings.signin_max_failures_per_address > settings.signin_max_failures


def test_values_are_read() -> None:
    settings = Settings.from_env(
        {
            **JWKS,
            "BIGCOMMERCE_CHANNEL_ID": "7",
            "GATEWAY_SHOPPER_TOKEN_TTL_S": "600",
            "GATEWAY_SIGNIN_MAX_FAILURES": "3",
            "GATEWAY_SIGNIN_MAX_FAILURES_PER_ADDRESS": "30",
            "GATEWAY_SIGNIN_WINDOW_S": "60",
            "GATEWAY_SIGNIN_MIN_DURATION_S": "0",
            "GATEWAY_SHOPPER_JWT_CUSTOMER_CLAIM": "customer",
        }
    )
    assert settings.channel_id == 7
    assert settings.shopper_token_ttl_s == 600
    assert (settings.signin_max_failures, settings.signin_max_failures_per_address) == (3, 30)
    assert (settings.signin_window_s, settings.signin_min_duration_s) == (60, 0)
    assert settings.shopper_jwt == ExternalShopperJwt(
        JWKS["GATEWAY_SHOPPER_JWKS_URL"],
        JWKS["GATEWAY_SHOPPER_JWT_ISSUER"],
        "checkout-gateway",
        "customer",
    )
    assert Settings.from_env(JWKS).shopper_jwt.customer_claim == "bc_customer_id"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"BIGCOMMERCE_CHANNEL_ID": "one"}, "BIGCOMMERCE_CHANNEL_ID"),
        ({"BIGCOMMERCE_CHANNEL_ID": "1.5"}, "BIGCOMMERCE_CHANNEL_ID"),
        ({"BIGCOMMERCE_CHANNEL_ID": "0"}, "BIGCOMMERCE_CHANNEL_ID"),
        ({"GATEWAY_SHOPPER_TOKEN_TTL_S": "5"}, "GATEWAY_SHOPPER_TOKEN_TTL_S"),
        ({"GATEWAY_SIGNIN_MAX_FAILURES": "0"}, "GATEWAY_SIGNIN_MAX_FAILURES"),
        ({**JWKS, "GATEWAY_SHOPPER_JWT_ISSUER": ""}, "GATEWAY_SHOPPER_JWT_ISSUER"),
        ({**JWKS, "GATEWAY_SHOPPER_JWT_AUDIENCE": " "}, "GATEWAY_SHOPPER_JWT_AUDIENCE"),
        ({**JWKS, "GATEWAY_SHOPPER_JWKS_URL": "http://idp.example.test/jwks"}, "JWKS_URL"),
        ({"GATEWAY_SHOPPER_JWT_ISSUER": "https://idp/"}, "GATEWAY_SHOPPER_JWKS_URL"),
    ],
)
def test_bad_values_stop_the_start_with_one_line_naming_the_variable(
    env: dict[str, str], names: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(env)
    message = str(caught.value)
    assert names in message
    assert "\n" not in message


# The live order status

PRODUCTION = {
    "BIGCOMMERCE_STORE_HASH": "abc123",
    "BIGCOMMERCE_ACCESS_TOKEN": "token",
    "GATEWAY_SECRET": "0123456789abcdef0123",
}


def test_sandbox_mode_has_a_random_webhook_secret_per_process() -> None:
    first, second = Settings.from_env({}), Settings.from_env({})
    assert first.webhook_secret and second.webhook_secret
    assert len(first.webhook_secret) >= 32 and first.webhook_secret != second.webhook_secret
    assert "webhook_secret" not in repr(first) and first.webhook_secret not in repr(first)


def test_production_serves_webhooks_only_with_a_secret() -> None:
    assert Settings.from_env(PRODUCTION).webhook_secret is None
    secret = "a-long-enough-webhook-secret"
    given = {**PRODUCTION, "GATEWAY_WEBHOOK_SECRET": secret}
    assert Settings.from_env(given).webhook_secret == secret
    with pytest.raises(ConfigError, match="GATEWAY_WEBHOOK_SECRET"):
        Settings.from_env({**PRODUCTION, "GATEWAY_WEBHOOK_SECRET": "short"})


def test_subscription_limits_have_defaults_and_bounds() -> None:
    settings = Settings.from_env({})
    assert settings.subscription_heartbeat_s == 5.0
    assert settings.max_subscriptions_per_connection == 20
    tuned = Settings.from_env(
        {"GATEWAY_SUBSCRIPTION_HEARTBEAT_S": "2.5", "GATEWAY_MAX_SUBSCRIPTIONS_PER_CONNECTION": "5"}
    )
    assert tuned.subscription_heartbeat_s == 2.5 and tuned.max_subscriptions_per_connection == 5
    with pytest.raises(ConfigError, match="GATEWAY_MAX_SUBSCRIPTIONS_PER_CONNECTION"):
        Settings.from_env({"GATEWAY_MAX_SUBSCRIPTIONS_PER_CONNECTION": "0"})


def test_a_payment_in_flight_may_run_its_own_timeout_then_read_its_order_back() -> None:
    # How long a payment's order stays locked past its request's deadline.
    assert Settings.from_env({}).payment_in_flight_s == 22.0
    settings = Settings.from_env({"GATEWAY_TIMEOUT_PAYMENT_S": "7"})
    assert settings.payment_in_flight_s == 9.0
