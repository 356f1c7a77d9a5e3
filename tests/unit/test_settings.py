"""Shopper identity settings: defaults, parsing, and one-line errors naming the variable."""

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
