// Log a call, progressively enhanced (the page works without this file):
// - a common call (template link) fills the form in place instead of reloading the page;
// - keyboard shortcuts (Alt + a letter, listed on the page) move through the whole call.
(function () {
  "use strict";

  function fire(element, type) {
    element.dispatchEvent(new Event(type, { bubbles: true }));
  }

  function setValue(form, name, value) {
    var field = form.elements.namedItem(name);
    if (!field) return;
    if (field instanceof RadioNodeList) {
      field.forEach(function (radio) { radio.checked = radio.value === value; });
    } else {
      field.value = value;
    }
  }

  function setUpTemplates(form) {
    var list = document.querySelector("[data-categories-url]");
    if (!list) return;
    list.addEventListener("click", function (event) {
      var link = event.target.closest("[data-call-template]");
      if (!link) return;
      event.preventDefault();
      var data = link.dataset;
      setValue(form, "title", data.title);
      setValue(form, "description", data.description);
      setValue(form, "kind", data.kind);
      setValue(form, "service", data.service);
      setValue(form, "impact", data.impact);
      setValue(form, "urgency", data.urgency);
      // The category list depends on the service: fetch the service's list with the template's
      // category chosen (a change event on the service would fetch it without the category).
      var params = new URLSearchParams({ service: data.service, category: data.category });
      var categories = document.getElementById("call-category");
      fetch(list.dataset.categoriesUrl + "?" + params.toString(), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) { if (html !== null && categories) categories.innerHTML = html; })
        .catch(function () { /* the category stays as it was; the form still validates it */ });
      // Live priority, duplicates and article suggestions follow their fields' events.
      fire(form.elements.namedItem("impact"), "change");
      fire(form.elements.namedItem("title"), "input");
      var description = form.elements.namedItem("description");
      description.focus();
      description.setSelectionRange(description.value.length, description.value.length);
    });
  }

  function choose(form, outcome, focusName) {
    var radio = form.querySelector("input[name=outcome][value=" + outcome + "]");
    if (!radio) return;
    radio.checked = true;
    fire(radio, "change");
    var field = form.elements.namedItem(focusName);
    if (field) field.focus();
  }

  function focusFirst(selector) {
    var element = document.querySelector(selector);
    if (element) element.focus();
  }

  function setUpShortcuts(form) {
    // event.code, not event.key: Alt+letter types other characters on some layouts (macOS).
    var actions = {
      KeyC: function () { focusFirst("#caller-q"); },
      KeyM: function () { focusFirst("[data-call-template]"); },
      KeyN: function () { focusFirst("[data-add-note]"); },
      KeyT: function () { form.elements.namedItem("title").focus(); },
      KeyR: function () { choose(form, "resolve", "resolution_code"); },
      KeyG: function () { choose(form, "escalate", "escalate_to"); },
      KeyS: function () { form.requestSubmit(form.querySelector("button.primary")); },
    };
    document.addEventListener("keydown", function (event) {
      if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
      var action = actions[event.code];
      if (!action) return;
      event.preventDefault();
      action();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("log-call");
    if (!form) return;
    setUpTemplates(form);
    setUpShortcuts(form);
  });
})();
