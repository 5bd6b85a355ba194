// Progressive enhancement for the ticket list; the page works without it.
// - Person picker: typing a name fills the select beside it with matching staff (JSON look-up).
// - Bulk bar: "select all" for the page, a count of the ticked rows, and only the fields the
//   chosen action needs.
(function () {
  "use strict";

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    };
  }

  function setUpPicker(picker) {
    var input = picker.querySelector("[data-person-search]");
    var select = document.getElementById(input.getAttribute("aria-controls"));
    var status = picker.querySelector("[data-person-status]");
    var groupField = picker.dataset.groupField ? document.getElementById(picker.dataset.groupField) : null;
    // The first options (anyone, me, unassigned; or no one, me) stay; the people found follow.
    var fixedCount = parseInt(picker.dataset.fixedCount || "0", 10);
    var fixed = Array.prototype.slice.call(select.options, 0, fixedCount).map(function (option) {
      return option.cloneNode(true);
    });
    var latest = 0;

    function search() {
      var query = input.value.trim();
      if (query.length < 2) return;
      var params = new URLSearchParams({ q: query });
      if (groupField && groupField.value) params.set("group", groupField.value);
      var request = ++latest;
      fetch(picker.dataset.peopleUrl + "?" + params.toString(), {
        headers: { "X-Requested-With": "fetch", Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (data === null || request !== latest) return; // only the newest answer counts
          var chosen = select.value;
          select.innerHTML = "";
          fixed.forEach(function (option) { select.appendChild(option.cloneNode(true)); });
          data.results.forEach(function (person) {
            var option = document.createElement("option");
            option.value = String(person.id);
            option.textContent = person.name + " (" + person.username + ")";
            select.appendChild(option);
          });
          // The first person found is chosen: type a name, press Enter.
          select.value = data.results.length ? String(data.results[0].id) : chosen;
          status.textContent = data.results.length
            ? picker.dataset.foundText.replace("{n}", data.results.length)
            : picker.dataset.noneText;
        })
        .catch(function () { /* the form still submits the search without JavaScript */ });
    }

    input.addEventListener("input", debounce(search, 200));
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { event.preventDefault(); select.focus(); }
    });
  }

  function setUpBulk(bar) {
    var form = bar.closest("form");
    var all = form.querySelector("[data-select-all]");
    var boxes = form.querySelectorAll("input[name=tickets]");
    var count = bar.querySelector("[data-selected-count]");
    var action = form.querySelector("select[name=action]");

    function updateCount() {
      var ticked = form.querySelectorAll("input[name=tickets]:checked").length;
      count.textContent = "(" + count.dataset.template.replace("{n}", ticked) + ")";
      if (all) {
        all.checked = ticked > 0 && ticked === boxes.length;
        all.indeterminate = ticked > 0 && ticked < boxes.length;
      }
    }
    function updateFields() {
      bar.querySelectorAll("[data-bulk-for]").forEach(function (part) {
        part.hidden = part.dataset.bulkFor.split(" ").indexOf(action.value) === -1;
      });
    }

    if (all) {
      all.hidden = false;
      all.addEventListener("change", function () {
        boxes.forEach(function (box) { box.checked = all.checked; });
        updateCount();
      });
    }
    boxes.forEach(function (box) { box.addEventListener("change", updateCount); });
    action.addEventListener("change", updateFields);
    updateCount();
    updateFields();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-person-picker]").forEach(setUpPicker);
    var bar = document.querySelector("[data-bulk-bar]");
    if (bar) setUpBulk(bar);
  });
})();
