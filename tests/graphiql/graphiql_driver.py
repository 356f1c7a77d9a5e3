"""Reading and driving GraphiQL's tabs and editors from Playwright (async API).

Page-side predicates are not used for waiting: Playwright polls them with eval, which the
page's CSP refuses. ``page.evaluate`` runs over the DevTools protocol, outside the CSP, so
it can read CodeMirror's state; waits are locator waits or short polls of such reads.
"""

from __future__ import annotations

import asyncio
from typing import Any

# The CodeMirror instances of the active tab: the query editor, then the variables and
# headers editors (GraphiQL keeps both in its tools pane, one hidden).
EDITORS_JS = """
() => [
  document.querySelector('.graphiql-query-editor .CodeMirror'),
  ...document.querySelectorAll('.graphiql-editor-tool .CodeMirror'),
].map(element => element && element.CodeMirror)
"""

# Lint every editor of the active tab now (CodeMirror's lint addon runs GraphiQL's
# synchronous linters), then report each editor's marks and gutter markers.
LINT_NOW_JS = (
    "() => { const editors = ("
    + EDITORS_JS
    + """)();
  return editors.map((cm, index) => {
    if (!cm) return { index, missing: true };
    cm.performLint();
    const box = cm.getWrapperElement();
    return {
      index,
      marks: [...box.querySelectorAll('.CodeMirror-lint-mark, [class*="CodeMirror-lint-mark-"]')]
        .map(m => m.textContent),
      markers: box.querySelectorAll('.CodeMirror-lint-marker, [class*="CodeMirror-lint-marker-"]')
        .length,
      text: cm.getValue(),
    };
  });
}"""
)

SCHEMA_LOADED_JS = (
    "() => { const [query, variables] = ("
    + EDITORS_JS
    + """)();
  return Boolean(query && query.options.lint && query.options.lint.schema &&
                 variables && variables.options.lint && variables.options.lint.variableToType);
}"""
)


async def poll(page: Any, script: str, *, attempts: int = 200) -> Any:
    """Evaluate ``script`` until it answers something truthy (about 20 s at most)."""
    for _ in range(attempts):
        value = await page.evaluate(script)
        if value:
            return value
        await asyncio.sleep(0.1)
    raise AssertionError(f"never true: {script}")


async def tab_titles(page: Any) -> list[str]:
    titles: list[str] = await page.locator(".graphiql-tab-button").all_inner_texts()
    return [title.strip() for title in titles]


# True once the active tab's query editor starts with ``first`` and the variables editor
# knows exactly the variables ``names`` ("input: CreateCartInput!"), and the operation to
# run is ``operation``. GraphiQL derives both from the query a moment after it changes;
# linting or running earlier would use the previous tab's.
TAB_READY_JS = (
    "([first, names, operation]) => { const [query, variables] = ("
    + EDITORS_JS
    + """)();
  if (query.getValue().split('\\n')[0] !== first) return false;
  if (operation !== null && query.operationName !== operation) return false;
  const types = (variables.options.lint || {}).variableToType || {};
  const known = Object.keys(types).map(name => name + ': ' + String(types[name])).sort();
  return JSON.stringify(known) === JSON.stringify(names);
}"""
)


async def open_tab(
    page: Any, index: int, first_line: str, variables: list[str], operation: str
) -> None:
    """Select tab ``index``; wait until its query, ``variables`` and ``operation`` are in
    the editors."""
    await page.locator(f"#graphiql-session-tab-{index}").click()
    for _ in range(200):
        if await page.evaluate(TAB_READY_JS, [first_line, sorted(variables), operation]):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"tab {index} never showed {first_line!r} with {variables}")


async def lint_now(page: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = await page.evaluate(LINT_NOW_JS)
    return found


async def set_variables(page: Any, text: str) -> None:
    await page.evaluate(
        "(text) => document.querySelector('.graphiql-editor-tool .CodeMirror')"
        ".CodeMirror.setValue(text)",
        text,
    )


RESPONSE_JS = "() => document.querySelector('.result-window .CodeMirror').CodeMirror.getValue()"


async def run_active_tab(page: Any, answer: str) -> str:
    """Press the run button; wait until the response (all of it, not just the lines
    CodeMirror renders) contains ``answer``, and return it."""
    await page.locator(".graphiql-execute-button").click()
    text = ""
    for _ in range(300):
        text = str(await page.evaluate(RESPONSE_JS))
        if answer in text:
            return text
        await asyncio.sleep(0.1)
    raise AssertionError(f"no {answer!r} in the response: {text}")
