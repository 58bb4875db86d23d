"""Accessibility, checked in the browser on every page a journey visits: one h1, labelled
fields, axe-core's WCAG 2.2 AA rules with nothing serious or critical, and no sideways
scrolling on a phone; plus helpers to drive a page with the keyboard alone (Tab,
Shift+Tab, Space, arrows, Enter)."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect

# WCAG 2.2 level AA, which includes A and the 2.0 and 2.1 criteria.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# "minor" and "moderate" findings are reported by axe for a person to weigh; these two
# block people from the content, so any one fails the test.
BLOCKING_IMPACTS = {"serious", "critical"}
# The narrowest phone we design for (an iPhone 12-15 in portrait).
PHONE_WIDTH = 390

_axe = Axe()

# Every visible input, select and textarea that is not hidden or a button, and whether
# it has an accessible name from a <label> (for= or wrapping), aria-label or
# aria-labelledby pointing at text.
_UNLABELLED_FIELDS_JS = """
() => {
  const buttons = new Set(["hidden", "submit", "button", "reset", "image"]);
  const text = (el) => (el && el.textContent || "").trim();
  const unlabelled = [];
  for (const field of document.querySelectorAll("input, select, textarea")) {
    if (field.tagName === "INPUT" && buttons.has(field.type)) continue;
    if (!field.checkVisibility()) continue;
    const byLabel = [...(field.labels || [])].some((label) => text(label));
    const byAria = (field.getAttribute("aria-label") || "").trim() !== "";
    const byIds = (field.getAttribute("aria-labelledby") || "").split(/\\s+/)
      .some((id) => id && text(document.getElementById(id)));
    if (!(byLabel || byAria || byIds)) {
      unlabelled.push(`${field.tagName.toLowerCase()} name=${field.name} id=${field.id}`);
    }
  }
  return unlabelled;
}
"""


def unlabelled_fields(page: Page) -> list[str]:
    return page.evaluate(_UNLABELLED_FIELDS_JS)


def axe_violations(page: Page) -> list[dict]:
    """axe-core's serious and critical WCAG 2.2 AA violations on the page as it is now."""
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    results = _axe.run(page, options=options)
    return [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]


def describe_violations(url: str, violations: list[dict]) -> str:
    """One paragraph per rule: its id, impact and help, then each offending node's selector,
    markup and what axe says is wrong with it."""
    lines = [f"axe: {len(violations)} serious or critical violation(s) on {url}"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{violation['helpUrl']}]"
        )
        for node in violation["nodes"]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ").strip()
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


def page_widths(page: Page) -> dict[int, int]:
    """The page's scroll width at a phone's viewport width and at the current one
    ({viewport width: scroll width}); the viewport is put back as it was."""
    measure = "() => document.documentElement.scrollWidth"
    original = page.viewport_size
    widths = {original["width"]: page.evaluate(measure)}
    if original["width"] != PHONE_WIDTH:
        page.set_viewport_size({"width": PHONE_WIDTH, "height": original["height"]})
        try:
            widths[PHONE_WIDTH] = page.evaluate(measure)
        finally:
            page.set_viewport_size(original)
    return widths


def check_page(page: Page) -> None:
    """The page has exactly one h1, every visible form field has a label, axe finds no
    serious or critical WCAG 2.2 AA violation, and the page does not scroll sideways,
    neither at its viewport width nor on a phone."""
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    assert unlabelled_fields(page) == [], page.url
    violations = axe_violations(page)
    assert not violations, describe_violations(page.url, violations)
    overflowing = {
        viewport: scroll for viewport, scroll in page_widths(page).items() if scroll > viewport
    }
    widths = ", ".join(f"{scroll} px wide at {view} px" for view, scroll in overflowing.items())
    assert not overflowing, f"{page.url} scrolls sideways: {widths}"


def is_focused(target: Locator) -> bool:
    return target.evaluate("el => el === document.activeElement")


def tab_to(page: Page, target: Locator, *, backwards: bool = False, limit: int = 80) -> None:
    """Press Tab (Shift+Tab with ``backwards``) until ``target`` has the focus, as a
    keyboard user moves through the page; fails if it never does."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        if is_focused(target):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{key} x{limit} never reached {target}")
