// Progressive enhancement for the console. Every page works without this file.
// - Log a call: caller look-up as you type (fetches an HTML fragment of matching people),
//   and only the part of the outcome that applies is shown.
// - "/" focuses the ticket search box.
(function () {
  "use strict";

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  function setUpCallerSearch() {
    var form = document.getElementById("caller-search");
    var input = document.querySelector("[data-caller-search]");
    if (!form || !input) return;
    var results = document.getElementById(form.dataset.results);
    var url = form.dataset.lookupUrl;
    var latest = 0;

    function search() {
      var checked = document.querySelector("input[name=caller]:checked");
      var params = new URLSearchParams({ q: input.value.trim() });
      if (checked) params.set("selected", checked.value);
      var request = ++latest;
      fetch(url + "?" + params.toString(), {
        headers: { "X-Requested-With": "fetch" },
        credentials: "same-origin",
      })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          // Only the newest answer counts: slow answers to older keystrokes are dropped.
          if (html !== null && request === latest) {
            results.innerHTML = html;
            // A pre-selected caller counts as chosen: the panels beside the form follow it.
            if (results.querySelector("input[name=caller]:checked")) {
              results.dispatchEvent(new Event("change", { bubbles: true }));
            }
          }
        })
        .catch(function () { /* the Search button still works */ });
    }

    input.addEventListener("input", debounce(search, 200));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      search();
    });
  }

  function setUpOutcome() {
    var container = document.querySelector("[data-outcome-choice]");
    if (!container) return;
    var radios = container.querySelectorAll("input[name=outcome]");
    var parts = container.querySelectorAll("[data-outcome]");

    function update() {
      var chosen = container.querySelector("input[name=outcome]:checked");
      var value = chosen ? chosen.value : "";
      parts.forEach(function (part) { part.hidden = part.dataset.outcome !== value; });
    }

    radios.forEach(function (radio) { radio.addEventListener("change", update); });
    update();
  }

  function setUpShortcuts() {
    document.addEventListener("keydown", function (event) {
      if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
      var target = event.target;
      if (target.closest("input, textarea, select, [contenteditable]")) return;
      var box = document.querySelector("[data-search-shortcut]");
      if (box) {
        event.preventDefault();
        box.focus();
      }
    });
  }

  function focusErrors() {
    var summary = document.querySelector("[data-focus-on-load]");
    if (summary) summary.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpCallerSearch();
    setUpOutcome();
    setUpShortcuts();
    focusErrors();
  });
})();

// Live panels: <div data-poll-url="…" data-poll-seconds="10"> is refreshed from its URL.
(function () {
  "use strict";
  document.querySelectorAll("[data-poll-url]").forEach(function (panel) {
    var seconds = Math.max(2, parseInt(panel.dataset.pollSeconds || "10", 10));
    setInterval(function () {
      fetch(panel.dataset.pollUrl, { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) { if (html !== null) panel.innerHTML = html; })
        .catch(function () { /* keep the last figures; try again next time */ });
    }, seconds * 1000);
  });
})();
