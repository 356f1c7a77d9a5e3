"""Fixtures shared by the GraphiQL page tests: the page is rendered and parsed once."""

from __future__ import annotations

import pytest

from gateway.graphiql import render_page
from tests.graphiql.graphiql_page_tags import PageTags, parse_page


@pytest.fixture(scope="module")
def page_and_csp() -> tuple[str, str]:
    return render_page()


@pytest.fixture(scope="module")
def page_tags(page_and_csp: tuple[str, str]) -> PageTags:
    return parse_page(page_and_csp[0])
