"""The live order status settings: the webhook secret, heartbeat, subscriptions per connection."""

from __future__ import annotations

import pytest

from gateway.settings import ConfigError, Settings

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
