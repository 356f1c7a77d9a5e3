"""The GraphiQL page loads nothing from elsewhere, pins every file, and its CSP holds."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from importlib import resources

import pytest

from gateway.graphiql import render_page
from gateway.graphiql.assets import ASSETS_DIR, manifest_files, sri_sha384
from gateway.graphiql.page import ASSETS_URL_PREFIX, PLACEHOLDERS, SCROLL_LOCK_STYLE
from gateway.graphiql.tabs import (
    NEW_KEY_PLACEHOLDER,
    SHOPPER_TOKEN_HEADER,
    SHOPPER_TOKEN_PLACEHOLDER,
    flow_tabs,
)
from tests.graphiql.graphiql_page_tags import PageTags

URL_ATTRIBUTES = ("src", "href", "action", "srcset", "poster", "data")


def referenced_urls(tags: PageTags) -> list[str]:
    return [attrs[a] for _tag, attrs in tags.tags for a in URL_ATTRIBUTES if a in attrs]


def pinned_assets(tags: PageTags) -> list[tuple[str, str]]:
    """(URL, integrity) of every script and stylesheet the page loads."""
    found = []
    for tag, attrs in tags.tags:
        if tag == "script" and "src" in attrs:
            found.append((attrs["src"], attrs.get("integrity", "")))
        elif tag == "link" and attrs.get("rel") == "stylesheet":
            found.append((attrs["href"], attrs.get("integrity", "")))
    return found


def asset_file(url: str) -> str:
    assert url.startswith(ASSETS_URL_PREFIX + "/"), url
    return url.removeprefix(ASSETS_URL_PREFIX + "/").split("?", 1)[0]


def csp_directives(csp: str) -> dict[str, list[str]]:
    directives = {}
    for part in csp.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def test_page_names_no_other_host(page_and_csp: tuple[str, str], page_tags: PageTags) -> None:
    page, _csp = page_and_csp
    assert not re.search(r"https?:", page, re.IGNORECASE)
    assert "//" not in page.replace("://", "")  # no protocol-relative URL either
    for url in referenced_urls(page_tags):
        same_origin_path = url.startswith("/") and not url.startswith("//")
        assert same_origin_path or url.startswith("data:"), url


def test_every_script_and_style_is_vendored_and_pinned(page_tags: PageTags) -> None:
    manifest = {f.relative_path: f.integrity for f in manifest_files()}
    loaded = pinned_assets(page_tags)
    assert len(loaded) == len([f for f in manifest_files() if f.kind in ("script", "style")]) + 1
    for url, integrity in loaded:
        relative = asset_file(url)
        data = (ASSETS_DIR / relative).read_bytes()
        assert integrity == sri_sha384(data), url
        if relative in manifest:
            assert integrity == manifest[relative], url
        else:
            assert relative == "checkout-gateway/flow.js"


def test_scripts_load_in_dependency_order(page_tags: PageTags) -> None:
    scripts = [asset_file(url) for url, _ in pinned_assets(page_tags) if url.endswith("js")]
    order = ["react@", "react-dom@", "js-cookie@", "graphiql@", "@graphiql/plugin-explorer@"]
    assert [s.split("@")[0] + "@" for s in scripts[:4]] == order[:4]
    assert scripts[4].startswith(order[4])
    assert asset_file(pinned_assets(page_tags)[-1][0]) == "checkout-gateway/flow.js"


def test_csp_is_self_only_and_hashes_the_inline_code(
    page_and_csp: tuple[str, str], page_tags: PageTags
) -> None:
    _page, csp = page_and_csp
    directives = csp_directives(csp)

    def sha256(code: str) -> str:
        digest = hashlib.sha256(code.encode()).digest()
        return f"'sha256-{base64.b64encode(digest).decode()}'"

    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'", *map(sha256, page_tags.inline_scripts)]
    # Plus the one style GraphiQL injects itself (its text is checked in test_browser.py).
    styles = [*page_tags.inline_styles, SCROLL_LOCK_STYLE]
    assert directives["style-src"] == ["'self'", *map(sha256, styles)]
    assert directives["connect-src"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["font-src"] == ["'self'", "data:"]
    assert directives["object-src"] == ["'none'"]
    allowed = re.compile(r"^('self'|'none'|data:|'sha256-[A-Za-z0-9+/]+=*')$")
    for name, sources in directives.items():
        for source in sources:
            assert allowed.match(source), f"{name} allows {source}"


def test_inline_code_is_only_a_little_css(page_tags: PageTags) -> None:
    assert page_tags.inline_scripts == []
    assert len(page_tags.inline_styles) == 1
    assert len(page_tags.inline_styles[0]) < 200


def test_favicon_is_inline(page_tags: PageTags) -> None:
    icons = [attrs["href"] for tag, attrs in page_tags.tags if attrs.get("rel") == "icon"]
    assert len(icons) == 1
    assert icons[0].startswith("data:image/")


def test_page_opens_with_one_tab_per_step(page_tags: PageTags) -> None:
    config = json.loads(page_tags.data_blocks["checkout-flow-config"])
    assert config["endpoint"] == "/graphql"
    assert config["tabs"] == [tab.as_json() for tab in flow_tabs()]
    assert config["placeholders"] == PLACEHOLDERS
    assert config["shopperToken"] == {
        "header": SHOPPER_TOKEN_HEADER,
        "placeholder": SHOPPER_TOKEN_PLACEHOLDER,
    }
    # Named after the tabs, so a changed flow does not reopen a stale saved set.
    assert re.fullmatch(r"checkout-gateway\.[0-9a-f]{12}", config["storageNamespace"])


@pytest.mark.parametrize("examples", ["variables.json", "cart-and-orders.variables.json"])
def test_every_placeholder_in_the_variables_is_known(examples: str) -> None:
    operations = resources.files("gateway") / "operations"
    variables_text = (operations / examples).read_text()
    used = set(re.findall(r'"(<[^"]+>)"', variables_text))
    assert used, "the example variables have placeholders to fill"
    assert used <= PLACEHOLDERS.keys() | {NEW_KEY_PLACEHOLDER}
    flow_script = (ASSETS_DIR / "checkout-gateway" / "flow.js").read_text()
    for rule in PLACEHOLDERS.values():
        assert rule.get("fresh") or f"found.{rule['key']} =" in flow_script, rule


@pytest.mark.parametrize(
    ("document", "examples"),
    [
        ("checkout-flow.graphql", "variables.json"),
        ("cart-and-orders.graphql", "cart-and-orders.variables.json"),
    ],
)
def test_every_variables_key_is_an_operation_of_the_flow(document: str, examples: str) -> None:
    operations = resources.files("gateway") / "operations"
    text = re.sub(r"#[^\n]*", "", (operations / document).read_text())
    names = set(re.findall(r"\b(?:query|mutation|subscription)\s+([_A-Za-z]\w*)", text))
    variables = json.loads((operations / examples).read_text())
    assert set(variables) <= names


def test_endpoint_is_escaped_into_the_data_block() -> None:
    page, _ = render_page("/api/</script><script>alert(1)</script>")
    assert "</script><script>alert" not in page
    block = page.split('id="checkout-flow-config">', 1)[1].split("</script>", 1)[0]
    assert json.loads(block)["endpoint"] == "/api/</script><script>alert(1)</script>"


def test_rendering_is_cached() -> None:
    assert render_page() is render_page()
    assert render_page("/graphql") is render_page()
