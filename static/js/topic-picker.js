// The topic picker: a text box of topics (input[data-topic-picker]) becomes a combobox that
// suggests existing topics as you type, adds new ones, and warns when a new one nearly
// duplicates an existing topic ("Hiring" / "Hiring and interviewing"). The server answers
// both questions (programs/selectors.py topic_suggestions, the rule in programs/topics.py).
//
// The chosen topics are written into the box, separated by "; " (programs/topics.py), so the
// form posts what it would without the script. On the enrolment form the box sits under the
// ticks of every existing topic (data-topic-picker names that field): their ticked topics
// become the picker's first choices, and are unticked, the box carrying them by name.
//
// Keyboard: type, Down/Up move through the suggestions, Enter chooses one (or adds what
// was typed), Escape closes the list; each chosen topic has its own Remove button.
(() => {
  const script = document.currentScript;
  const suggestUrl = script.dataset.suggestUrl;
  const SEPARATOR = "; ";
  const key = (name) => name.trim().split(/\s+/).join(" ").toLowerCase();
  const clean = (name) => name.trim().split(/\s+/).join(" ");
  // A form takes commas as separators too, so a topic typed there cannot hold one.
  const split = (text) => text.split(/[;,]/).map(clean).filter(Boolean);

  const make = (tag, attrs = {}, text = "") => {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, value);
    if (text) element.textContent = text;
    return element;
  };

  const enhance = (box) => {
    const id = box.id;
    const wrapper = document.getElementById(`div_${id}`) || box.parentElement;
    const ticksName = box.dataset.topicPicker;
    const ticksWrapper = ticksName ? document.getElementById(`div_id_${ticksName}`) : null;
    const ticks = ticksWrapper ? [...ticksWrapper.querySelectorAll("input[type=checkbox]")] : [];
    const labelText = (
      ticksWrapper?.querySelector("legend") || document.querySelector(`label[for="${id}"]`)
    ).childNodes[0].textContent.trim();
    // The ticks' help says what the topics are for; the box's own, how to type them.
    const helpText = ticksWrapper?.querySelector(".form-text")?.textContent.trim();
    const errors = [ticksWrapper, wrapper]
      .map((w) => w?.querySelector(".invalid-feedback")?.textContent.trim())
      .filter(Boolean);

    let chosen = [];
    for (const tick of ticks) {
      if (tick.checked) chosen.push(clean(document.querySelector(`label[for="${tick.id}"]`).textContent));
      tick.checked = false;
    }
    for (const name of split(box.value)) {
      if (!chosen.some((other) => key(other) === key(name))) chosen.push(name);
    }

    const pickerId = `${id}_picker`;
    const picker = make("div", { class: "mb-3 topic-picker" });
    const label = make("label", { class: "form-label", for: pickerId }, labelText);
    const hint = make(
      "div",
      { class: "form-text", id: `${pickerId}_hint` },
      `${helpText ? `${helpText} ` : ""}Type to find a topic, then press Enter to add it; a topic nobody has yet is added as new.`,
    );
    const chips = make("ul", { class: "topic-chips list-unstyled d-flex flex-wrap gap-2 mb-2", "aria-label": `Chosen: ${labelText.toLowerCase()}` });
    const field = make("div", { class: "position-relative" });
    const input = make("input", {
      type: "text",
      id: pickerId,
      class: `form-control${errors.length ? " is-invalid" : ""}`,
      role: "combobox",
      autocomplete: "off",
      "aria-autocomplete": "list",
      "aria-expanded": "false",
      "aria-controls": `${pickerId}_list`,
      "aria-describedby": `${pickerId}_hint ${pickerId}_status${errors.length ? ` ${pickerId}_error` : ""}`,
      // The error summary's links to the fields this picker stands in for land here.
      "data-replaces": [id, ...ticks.slice(0, 1).map((tick) => tick.id)].join(" "),
    });
    if (errors.length) input.setAttribute("aria-invalid", "true");
    const list = make("ul", { id: `${pickerId}_list`, role: "listbox", class: "list-group topic-suggestions", "aria-label": "Suggested topics" });
    list.hidden = true;
    const status = make("div", { id: `${pickerId}_status`, class: "form-text topic-status", "aria-live": "polite" });
    field.append(input, list);
    // The status sits above the box: the suggestions drop down over what is below it.
    picker.append(label, hint, chips, status, field);
    if (errors.length) {
      picker.append(make("div", { id: `${pickerId}_error`, class: "invalid-feedback d-block" }, errors.join(" ")));
    }
    (ticksWrapper || wrapper).before(picker);
    wrapper.hidden = true;
    if (ticksWrapper) ticksWrapper.hidden = true;

    // What the picker just did, or its warning (shown in the warning colour).
    const say = (text, warn = false) => {
      status.textContent = text;
      status.classList.toggle("topic-warning", warn);
    };
    const write = () => {
      box.value = chosen.join(SEPARATOR);
      chips.replaceChildren(
        ...chosen.map((name) => {
          const chip = make("li", { class: "badge text-bg-light border d-inline-flex align-items-center gap-1 fs-6 fw-normal" }, name);
          const remove = make("button", { type: "button", class: "btn-close", "aria-label": `Remove ${name}` });
          remove.addEventListener("click", () => {
            chosen = chosen.filter((other) => other !== name);
            write();
            say(`Removed ${name}.`);
            input.focus();
          });
          chip.append(remove);
          return chip;
        }),
      );
    };
    write();

    const NOTHING = { matches: [], exact: null, near: [] };
    let options = [];
    let active = -1;
    let asked = 0;
    let answer = NOTHING; // the server's answer for what the box holds

    const close = () => {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    };
    const highlight = (index) => {
      active = index;
      list.querySelectorAll("[role=option]").forEach((option, i) => {
        option.classList.toggle("active", i === index);
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index >= 0) input.setAttribute("aria-activedescendant", `${pickerId}_option_${index}`);
      else input.removeAttribute("aria-activedescendant");
    };
    const isChosen = (name) => chosen.some((other) => key(other) === key(name));
    const warning = (name, from) => {
      const near = from.near;
      if (from.exact || !near.length) return "";
      const many = near.length > 1;
      const names = near.map((other) => `“${other}”`).join(", ");
      return `“${name}” is close to the existing ${many ? "topics" : "topic"} ${names}: choose ${many ? "one of them" : "it"} if it means the same.`;
    };
    const show = () => {
      const typed = clean(input.value);
      options = answer.matches.filter((name) => !isChosen(name)).map((name) => ({ name, label: name }));
      if (typed && !answer.exact && !isChosen(typed)) {
        options.push({ name: typed, label: `Add “${typed}” as a new topic` });
      }
      list.replaceChildren(
        ...options.map((option, i) => {
          const item = make("li", { id: `${pickerId}_option_${i}`, role: "option", class: "list-group-item list-group-item-action", "aria-selected": "false" }, option.label);
          // mousedown, not click: the box keeps the focus (and the list stays open) meanwhile.
          item.addEventListener("mousedown", (event) => {
            event.preventDefault();
            pick(option.name);
          });
          return item;
        }),
      );
      list.hidden = !options.length;
      input.setAttribute("aria-expanded", options.length ? "true" : "false");
      highlight(-1);
      say(typed ? warning(typed, answer) : "", true);
    };
    // Adds name, spelled as the existing topic the answer `from` names, if it names one.
    const choose = (name, from) => {
      const existing = from.matches.find((other) => key(other) === key(name)) || from.exact;
      const picked = existing && key(existing) === key(name) ? existing : clean(name);
      const note = existing === picked ? "" : warning(picked, from);
      const at = chosen.findIndex((other) => key(other) === key(picked));
      if (at < 0) chosen.push(picked);
      else chosen[at] = picked;
      write();
      say(`Added ${picked}.${note ? ` ${note}` : ""}`, Boolean(note));
    };
    const empty = () => {
      input.value = "";
      asked += 1; // an answer still on its way for the old text is not shown
      answer = NOTHING;
      close();
    };
    const pick = (name) => {
      const from = answer;
      empty();
      choose(name, from);
    };
    const lookup = async (text) => {
      const response = await fetch(`${suggestUrl}?q=${encodeURIComponent(text)}`, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      return response.ok ? response.json() : null;
    };
    const ask = async () => {
      const text = input.value;
      const number = ++asked;
      if (!clean(text)) {
        answer = NOTHING;
        close();
        say("");
        return;
      }
      const found = await lookup(text);
      if (found && number === asked) {
        // Shown only if nothing was typed since: a later keystroke's answer wins.
        answer = found;
        stale = false;
        show();
      }
    };

    let timer;
    // Until the answer for what is typed now arrives, the list shown is for what was typed
    // before: Down and Up wait rather than pick from it.
    let stale = false;
    input.addEventListener("input", () => {
      stale = true;
      highlight(-1);
      clearTimeout(timer);
      timer = setTimeout(ask, 150);
    });
    input.addEventListener("keydown", async (event) => {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (stale || !options.length) return;
        if (list.hidden) show();
        let next = active + (event.key === "ArrowDown" ? 1 : -1);
        if (next >= options.length) next = -1; // back in the box, as typed
        if (next < -1) next = options.length - 1;
        highlight(next);
      } else if (event.key === "Enter" && clean(input.value)) {
        event.preventDefault(); // choosing a topic, not sending the form
        clearTimeout(timer);
        if (active >= 0) {
          pick(options[active].name);
          return;
        }
        // What was typed is added at once and the box emptied for the next topic, so nothing
        // typed or sent meanwhile is lost; the server's answer then only corrects the
        // spelling to the existing topic's, or adds its near-duplicate warning.
        const typed = clean(input.value);
        empty();
        choose(typed, NOTHING);
        const found = await lookup(typed).catch(() => null);
        if (found && isChosen(typed)) choose(typed, found);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", close);
    // Words typed but not yet added when the form is sent count as chosen, as without the script.
    box.form.addEventListener("submit", () => {
      if (clean(input.value) && !isChosen(input.value)) chosen.push(clean(input.value));
      write();
    });
  };

  document.querySelectorAll("input[data-topic-picker]").forEach(enhance);
})();
