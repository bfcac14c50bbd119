// Enhancements of the server-rendered pages; every page works without this script.

// On a phone the filters start folded, so the results come first.
(function () {
  "use strict";
  const details = document.querySelector(".facets details");
  if (details && window.matchMedia("(max-width: 760px)").matches) details.open = false;
})();

// Suggestions as you type: words (also from pinyin) and titles from /api/suggest.
(function () {
  "use strict";
  const DELAY_MS = 120;

  function attach(input) {
    const list = document.getElementById(input.getAttribute("aria-controls"));
    const form = input.form;
    let items = [];
    let active = -1;
    let timer = null;
    let lastQuery = null;
    let controller = null;

    function close() {
      list.hidden = true;
      list.replaceChildren();
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      items = [];
      active = -1;
    }

    function choose(item) {
      if (item.kind === "title" && item.id) {
        window.location.href = input.dataset.docUrl + encodeURIComponent(item.id);
        return;
      }
      input.value = item.text;
      close();
      form.submit();
    }

    function highlightActive() {
      Array.from(list.children).forEach(function (li, i) {
        li.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      if (active >= 0) {
        input.setAttribute("aria-activedescendant", list.children[active].id);
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function render(suggestions) {
      list.replaceChildren();
      items = suggestions;
      active = -1;
      suggestions.forEach(function (item, i) {
        const li = document.createElement("li");
        li.id = "suggestion-" + i;
        li.setAttribute("role", "option");
        li.className = "suggestion " + item.kind;
        li.textContent = item.text; // text, never HTML
        li.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the box
          choose(item);
        });
        list.appendChild(li);
      });
      const open = suggestions.length > 0;
      list.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
    }

    function fetchSuggestions() {
      const query = input.value.trim();
      if (query === lastQuery) return;
      lastQuery = query;
      if (!query) {
        close();
        return;
      }
      if (controller) controller.abort();
      controller = new AbortController();
      const url = input.dataset.suggestUrl + "?q=" + encodeURIComponent(query);
      fetch(url, { signal: controller.signal, headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
        .then(function (data) { if (input.value.trim() === query) render(data.suggestions || []); })
        .catch(function () { /* aborted or offline: keep the box usable */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, DELAY_MS);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden || items.length === 0) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const step = event.key === "ArrowDown" ? 1 : -1;
        const slots = items.length + 1; // the options, and "none chosen"
        active = ((active + 1 + step + slots) % slots) - 1;
        highlightActive();
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        choose(items[active]);
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  document.querySelectorAll("input[data-suggest-url]").forEach(attach);
})();
