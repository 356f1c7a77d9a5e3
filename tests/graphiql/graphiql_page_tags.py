"""Parsing the rendered GraphiQL page the way a browser would see its tags."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class PageTags:
    """What a browser would act on in the page: tags with their attributes, inline code."""

    tags: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    inline_scripts: list[str] = field(default_factory=list)
    data_blocks: dict[str, str] = field(default_factory=dict)
    inline_styles: list[str] = field(default_factory=list)


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.result = PageTags()
        self._open: tuple[str, dict[str, str]] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self.result.tags.append((tag, attributes))
        if tag in ("script", "style"):
            self._open, self._text = (tag, attributes), []

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._open is None or tag != self._open[0]:
            return
        name, attributes = self._open
        text = "".join(self._text)
        self._open = None
        if name == "style":
            self.result.inline_styles.append(text)
        elif attributes.get("type") == "application/json":
            self.result.data_blocks[attributes.get("id", "")] = text
        elif "src" not in attributes:
            self.result.inline_scripts.append(text)


def parse_page(page: str) -> PageTags:
    parser = _PageParser()
    parser.feed(page)
    parser.close()
    return parser.result
