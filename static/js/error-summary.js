// The error summary (templates/includes/form_errors.html) takes the focus on load, so the
// person hears and sees what went wrong before anything else. Its links then focus the
// field they name and bring its label (or its group's legend) into view: a bare fragment
// link scrolls the input to the very top, label hidden, and cannot reach a field that a
// script has replaced (the topic picker names its stand-in in data-replaces).
(() => {
  const summary = document.querySelector("[data-error-summary]");
  if (!summary || summary.dataset.ready) return;
  summary.dataset.ready = "true";

  const target = (id) => {
    const field = document.getElementById(id);
    if (field && field.checkVisibility()) return field;
    return [...document.querySelectorAll("[data-replaces]")].find((el) =>
      el.dataset.replaces.split(" ").includes(id),
    ) || field;
  };

  summary.addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='#']");
    const field = link && target(decodeURIComponent(link.hash.slice(1)));
    if (!field) return;
    event.preventDefault();
    const legend = field.closest("fieldset")?.querySelector("legend");
    (legend || field.labels?.[0] || field).scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
  });

  // A field's own autofocus (the login form's email) would take the focus back.
  for (const field of document.querySelectorAll("[autofocus]")) field.removeAttribute("autofocus");
  summary.focus();
})();
