"""Accessibility basics, checked in the browser: labelled fields, one h1, and helpers to
drive a form with the keyboard alone (Tab, Shift+Tab, Space, arrows, Enter)."""

from playwright.sync_api import Locator, Page, expect

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


def check_page(page: Page) -> None:
    """The page has exactly one h1 and every visible form field has a label."""
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    assert unlabelled_fields(page) == [], page.url


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
