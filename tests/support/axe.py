"""axe-core, the accessibility checker, run inside a page the browser tests have open: every
page state of the end-to-end test must have no serious or critical violation (WCAG 2.1 A and
AA rules, colour contrast included)."""

from __future__ import annotations

import os
from functools import cache
from typing import Any

import pytest

from tests.support import ROOT

AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@cache
def axe_source() -> str:
    """axe.min.js as installed by `npm ci --prefix tests/browser` (.ci/run does it); skipped
    with the reason where it is missing, a failure in CI."""
    if not AXE.is_file():
        message = "axe-core is not installed (npm ci --prefix tests/browser)"
        if os.environ.get("CI"):
            pytest.fail(message + " — CI must run the accessibility checks (.ci/run installs it)")
        pytest.skip(message)
    return AXE.read_text(encoding="utf-8")


def serious_violations(page: Any) -> list[str]:
    """The page's serious and critical axe violations, one line each (rule, impact, where).
    axe is evaluated through the DevTools protocol, which the pages' CSP does not govern."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    found = page.evaluate(
        """async (tags) => {
          const result = await axe.run(document, { runOnly: { type: 'tag', values: tags },
                                                   resultTypes: ['violations'] });
          return result.violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => `${v.id} (${v.impact}): ${v.help} — ` +
                      v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' +
                                               (n.failureSummary || '').split('\\n').slice(1, 2).join(''))
                             .join(' | '));
        }""",
        RULES,
    )
    return list(found)
