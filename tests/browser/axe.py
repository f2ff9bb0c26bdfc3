"""axe-core in Playwright: inject the npm package's axe.min.js into a page and run the WCAG 2.1 A/AA rules.

The script comes from node_modules/axe-core (installed by `make test` from package-lock.json); nothing is
downloaded at test time. Nothing is excluded from the check: the whole document is analysed.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")


@dataclass(frozen=True)
class Violation:
    rule: str
    impact: str
    help: str
    help_url: str
    targets: tuple[str, ...]
    html: tuple[str, ...]
    fixes: tuple[str, ...]

    def describe(self, state: str) -> str:
        lines = [f"[{state}] {self.impact.upper()} {self.rule}: {self.help} ({self.help_url})"]
        for target, html, fix in zip(self.targets, self.html, self.fixes):
            lines.append(f"    element: {target}\n      html: {html[:200]}\n      fix: {fix}")
        return "\n".join(lines)


def axe_source() -> str:
    if not AXE_JS.exists():
        raise FileNotFoundError(f"{AXE_JS} is missing: run `npm ci` (make test does) to install axe-core")
    return AXE_JS.read_text(encoding="utf-8")


RUN = """async (tags) => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return {version: axe.version, violations: r.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.map(t => Array.isArray(t) ? t.join(' >>> ') : t).join(', '),
                              html: n.html, impact: n.impact, fix: n.failureSummary}))}))};
}"""


def run_axe(page, source: str | None = None) -> list[Violation]:
    """All violations of the WCAG 2.1 A/AA rules on the page as it is now (any impact)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=source or axe_source())
    res = page.evaluate(RUN, TAGS)
    out = []
    for v in res["violations"]:
        nodes = v["nodes"]
        out.append(Violation(rule=v["id"], impact=v["impact"] or "", help=v["help"], help_url=v["helpUrl"],
                             targets=tuple(n["target"] for n in nodes), html=tuple(n["html"] for n in nodes),
                             fixes=tuple((n["fix"] or "").replace("\n", " ") for n in nodes)))
    return out


def blocking(violations: list[Violation]) -> list[Violation]:
    return [v for v in violations if v.impact in BLOCKING]
