// A table wider than its box (.table-responsive) scrolls inside the box, not the page.
// Someone without a mouse can scroll such a box only if it takes the focus (WCAG 2.1.1),
// and a screen reader should say what it is: so while a box overflows it becomes a
// focusable region named after its table's caption. Boxes that fit stay out of the Tab
// order. Checked again when the window is resized and when htmx swaps content in.
(function () {
  "use strict";

  function boxName(box) {
    var caption = box.querySelector("caption");
    var text = caption ? caption.textContent.trim() : "";
    return (text || "Table") + " (scrolls sideways)";
  }

  function mark(box) {
    if (box.scrollWidth > box.clientWidth) {
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", boxName(box));
    } else {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
  }

  function markAll() {
    document.querySelectorAll(".table-responsive").forEach(mark);
  }

  markAll();
  window.addEventListener("resize", markAll);
  document.addEventListener("htmx:afterSettle", markAll);
})();
