"""Shopper tokens: the adapter behind the domain's ``ShopperTokens`` port (PyJWT).

``own_tokens`` signs and checks the gateway's own tokens, ``jwks`` keeps a
federated graph's key set, ``external_tokens`` checks that graph's JWTs, and
``service`` routes a token to the right one and applies revocation.
"""
