"""The manifest writer: one self-contained body per operation, as Apollo's tool writes it."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from gateway.graphql.manifest import ManifestError, manifest_for


def graphql_file(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_bodies_carry_typename_and_only_the_fragments_used(tmp_path: Path) -> None:
    ops = graphql_file(
        tmp_path,
        "ops.graphql",
        """
        query B { order(id: "x") { ...OrderBits } }
        query A($id: ID!) { checkout(id: $id) { id cart { __typename id } } }
        """,
    )
    fragments = graphql_file(
        tmp_path,
        "fragments.graphql",
        "fragment Total on Money { amount }\n"
        "fragment OrderBits on Order { id total { ...Total } }\n"
        "fragment Unused on Order { id }\n",
    )
    result = manifest_for([ops, fragments])
    assert [op["name"] for op in result["operations"]] == ["A", "B"]
    a, b = result["operations"]
    # No __typename at the root, nor twice where the document selects it.
    assert a["body"] == (
        "query A($id: ID!) {\n  checkout(id: $id) {\n    id\n    cart {\n      __typename\n"
        "      id\n    }\n    __typename\n  }\n}"
    )
    # The operation first, then the fragments it uses (transitively) by name; not Unused.
    assert b["body"] == (
        'query B {\n  order(id: "x") {\n    ...OrderBits\n    __typename\n  }\n}\n\n'
        "fragment OrderBits on Order {\n  id\n  total {\n    ...Total\n    __typename\n  }\n"
        "  __typename\n}\n\nfragment Total on Money {\n  amount\n  __typename\n}"
    )
    assert b["id"] == hashlib.sha256(b["body"].encode()).hexdigest() and b["type"] == "query"


def test_export_fields_get_no_typename(tmp_path: Path) -> None:
    path = graphql_file(tmp_path, "e.graphql", 'query E { a @export(as: "x") { b } }')
    assert "__typename" not in manifest_for([path])["operations"][0]["body"]


@pytest.mark.parametrize(
    ("files", "says"),
    [
        (["{ anonymous }"], "anonymous operations are not supported; name your query"),
        (["query A { a }", "query A { b }"], "operation A is defined twice"),
        (["fragment F on T { a }", "fragment F on T { b }"], "fragment F is defined twice"),
        (["query A { ...Missing }"], "operation A: fragment Missing is not defined"),
        (["query A {"], "Syntax Error"),
    ],
)
def test_manifest_refuses(tmp_path: Path, files: list[str], says: str) -> None:
    paths = [graphql_file(tmp_path, f"{n}.graphql", text) for n, text in enumerate(files)]
    with pytest.raises(ManifestError, match=says):
        manifest_for(paths)
