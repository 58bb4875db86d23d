// The programme form (templates/hr/program_form.html), enhanced: the settings another kind
// uses are hidden while this kind is chosen (the server ignores them anyway,
// pairing/hr/forms/programmes.py KINDS_OF_FIELD), and the address shows, as a placeholder,
// the slug the server will make from the name if it is left blank.
(() => {
  const form = document.querySelector("[data-program-form]");
  if (!form) return;
  const kind = form.elements.kind;
  const name = form.elements.name;
  const slug = form.elements.slug;

  const showKind = () => {
    for (const block of form.querySelectorAll("[data-kinds]")) {
      block.hidden = !block.dataset.kinds.split(" ").includes(kind.value);
    }
    // The settings of every kind that is matched: hidden for the situational kind only.
    for (const block of form.querySelectorAll("[data-hidden-kinds]")) {
      block.hidden = block.dataset.hiddenKinds.split(" ").includes(kind.value);
    }
  };
  kind.addEventListener("change", showKind);
  showKind();

  // Django's slugify for the common case (accents dropped, the rest hyphenated); the
  // server's own may add "-2" when the address is taken.
  const slugify = (text) =>
    text
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^\w\s-]/g, "")
      .trim()
      .replace(/[-\s]+/g, "-")
      .replace(/^[-_]+|[-_]+$/g, "");
  if (slug && name && !slug.value) {
    const preview = () => {
      slug.placeholder = slugify(name.value);
    };
    name.addEventListener("input", preview);
    preview();
  }
})();
