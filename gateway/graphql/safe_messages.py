"""Error messages that never repeat what the client sent.

graphql-core repeats a mistyped value in its messages ("... non string value:
4111…", "found: {'number': '4111…'}"), and the value may be a card number or a
CVV. These functions rebuild such messages from the schema's names alone.
"""

from __future__ import annotations

import re

from gateway.redaction import redact

# Variable errors are rebuilt from a whitelist of message forms (names from the schema only);
# anything else says only which variable and where.
_VARIABLE = re.compile(
    r"^Variable '\$(?P<name>\w+)' (?:has|got) invalid value"
    r"(?: at (?P<path>'[^']*'|[.\w\[\]]+))?[:;]?\s*(?P<reason>.*)$",
    re.DOTALL,
)
_VARIABLE_SAFE = re.compile(
    r"^Variable '\$\w+' of (?:required|non-null) type '[\w!\[\]]+' "
    r"(?:was not provided|must not be null)\.$"
)
_SAFE_PATH = re.compile(r"^[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*|\[\d{1,6}\]|\.\d{1,6})*$")
_TYPE = r"'(?P<type>[\w!\[\]]+)'"
_REASONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"^Expected value of type {_TYPE} to be an object"),
     "Expected an object of type '{type}'."),
    (re.compile(rf"^Expected value of type {_TYPE} to include required field '(?P<field>\w+)'"),
     "Expected value of type '{type}' to include required field '{field}'."),
    (re.compile(rf"^Expected value of type {_TYPE} not to include unknown field"),
     "Expected value of type '{type}' not to include an unknown field."),
    (re.compile(rf"^Expected (?:a )?value of non-null type {_TYPE} not to be (?:None|null)"),
     "Expected value of non-null type '{type}' not to be null."),
    (re.compile(rf"^Expected a value of non-null type {_TYPE} to be provided"),
     "Expected a value of non-null type '{type}' to be provided."),
    (re.compile(r"^(?P<type>[A-Z]\w*) cannot represent (?P<what>[\w -]{1,60}value)\b"),
     "{type} cannot represent {what}."),
    (re.compile(rf"^Value .* does not exist in {_TYPE} enum"), "Not a value of the enum '{type}'."),
]  # fmt: skip
# In a document's literals: "... value: <literal>" and "..., found <literal>."
# graphql-core writes both "..., found <literal>." and "... Did you mean 'x'? Found: <literal>".
_LITERAL = re.compile(
    r"^(?P<head>.*?)(?:(?P<value>\bvalue): |(?P<found>\bfound):? ).*$", re.DOTALL | re.IGNORECASE
)


def safe_coercion_message(message: str) -> str:
    """A variable-coercion message with no trace of the value the client sent."""
    if _VARIABLE_SAFE.match(message):
        return message
    match = _VARIABLE.match(message)
    if match is None:
        return "Variable values are invalid." if "Variable" in message else redact(message)
    where = ""
    path = (match.group("path") or "").strip("'").lstrip(".")
    if path and _SAFE_PATH.match(path):
        where = f" at '{path}'"
    text = f"Variable '${match.group('name')}' has an invalid value{where}."
    reason = match.group("reason")
    for pattern, template in _REASONS:
        found = pattern.match(reason)
        if found:
            return f"{text} {template.format(**found.groupdict())}"
    return text


def safe_document_message(message: str) -> str:
    """A parse or validation message with any literal value the document held left out."""
    match = _LITERAL.match(message)
    if match is not None:
        tail = "value." if match.group("value") else "found an invalid value."
        message = f"{match.group('head')}{tail}"
    return redact(message)
