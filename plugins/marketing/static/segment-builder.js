// Segment builder: add and remove condition rows, fit the value field to the criterion,
// and show the live count and a sample from GET <count-url>?rule=<JSON> while editing.
(function () {
  "use strict";
  const form = document.getElementById("segment-form");
  if (!form) { return; }
  const rows = document.getElementById("conditions");
  const template = document.getElementById("condition-template");
  const criteria = JSON.parse(document.getElementById("criteria-data").textContent);
  const countEl = document.getElementById("live-count");
  const stateEl = document.getElementById("count-state");
  const problemsEl = document.getElementById("problems");
  const sampleEl = document.getElementById("sample");
  const previewLink = document.getElementById("preview-link");
  // The page's words, in the reader's language (data-text-* on the form).
  const text = {
    choose: form.dataset.textChoose || "— choose —",
    yes: form.dataset.textYes || "yes",
    value: form.dataset.textValue || "Value",
    counting: form.dataset.textCounting || "(counting…)",
    failed: form.dataset.textFailed || "(could not count)",
  };
  const language = document.documentElement.lang || "en";
  let timer = null;
  let pending = null;

  function nextIndex() {
    let highest = -1;
    rows.querySelectorAll(".condition-row").forEach(function (row) {
      highest = Math.max(highest, parseInt(row.dataset.index, 10));
    });
    return highest + 1;
  }

  function element(tag, attributes, text) {
    const node = document.createElement(tag);
    Object.keys(attributes).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function valueControl(index, key) {
    const name = "conditions-" + index + "-value";
    const criterion = criteria[key];
    const kind = criterion ? criterion.kind : "text";
    const label = { "aria-label": text.value, name: name };
    if (kind === "choice") {
      const select = element("select", Object.assign({ class: "form-select form-select-sm" }, label));
      select.appendChild(element("option", { value: "" }, text.choose));
      criterion.choices.forEach(function (choice) { select.appendChild(element("option", {}, choice)); });
      return [select];
    }
    if (kind === "flag") {
      return [element("input", { type: "hidden", name: name, value: "1" }),
              element("span", { class: "form-text" }, text.yes)];
    }
    const type = { number: "number", date: "date" }[kind] || "text";
    const input = element("input", Object.assign({ class: "form-control form-control-sm", type: type }, label));
    if (kind === "number") { input.setAttribute("step", "any"); }
    return [input];
  }

  function addRow() {
    const index = nextIndex();
    const html = template.innerHTML.split("__index__").join(String(index));
    rows.insertAdjacentHTML("beforeend", html);
    const added = rows.lastElementChild;
    added.querySelector(".criterion-select").focus();
  }

  function collectRule() {
    const conditions = [];
    rows.querySelectorAll(".condition-row").forEach(function (row) {
      const key = row.querySelector(".criterion-select").value;
      if (!key) { return; }
      const valueField = row.querySelector("[name$='-value']");
      conditions.push({
        key: key,
        value: valueField ? valueField.value : "",
        negate: row.querySelector(".negate-select").value === "1",
      });
    });
    return { match: form.querySelector("[name='match']").value, conditions: conditions };
  }

  function showProblems(problems) {
    problemsEl.textContent = "";
    if (!problems.length) { return; }
    const box = element("div", { class: "alert alert-danger small" });
    const list = element("ul", { class: "mb-0" });
    problems.forEach(function (problem) { list.appendChild(element("li", {}, problem)); });
    box.appendChild(list);
    problemsEl.appendChild(box);
  }

  function showSample(sample) {
    sampleEl.textContent = "";
    sample.forEach(function (customer) {
      const item = element("li", {});
      item.appendChild(element("a", { href: customer.url }, customer.name));
      item.appendChild(document.createTextNode(" "));
      item.appendChild(element("span", { class: "text-muted" }, customer.city));
      sampleEl.appendChild(item);
    });
  }

  function refresh() {
    if (pending) { pending.abort(); }
    pending = new AbortController();
    const rule = JSON.stringify(collectRule());
    stateEl.textContent = text.counting;
    form.dataset.counting = "1";
    fetch(form.dataset.countUrl + "?rule=" + encodeURIComponent(rule), {
      headers: { Accept: "application/json" }, signal: pending.signal, credentials: "same-origin",
    }).then(function (response) { return response.json(); }).then(function (answer) {
      stateEl.textContent = "";
      showProblems(answer.problems || []);
      if (answer.count === null || answer.count === undefined) {
        countEl.textContent = "–";
        showSample([]);
      } else {
        countEl.textContent = answer.count.toLocaleString(language);
        showSample(answer.sample || []);
        previewLink.href = answer.preview_url;
      }
      delete form.dataset.counting;
    }).catch(function (error) {
      if (error.name !== "AbortError") {
        stateEl.textContent = text.failed;
        delete form.dataset.counting;
      }
    });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  }

  rows.addEventListener("change", function (event) {
    if (event.target.classList.contains("criterion-select")) {
      const row = event.target.closest(".condition-row");
      const cell = row.querySelector(".value-cell");
      cell.textContent = "";
      valueControl(row.dataset.index, event.target.value).forEach(function (node) { cell.appendChild(node); });
    }
    later();
  });
  rows.addEventListener("input", later);
  form.querySelector("[name='match']").addEventListener("change", later);
  rows.addEventListener("click", function (event) {
    const button = event.target.closest(".remove-condition");
    if (!button) { return; }
    button.closest(".condition-row").remove();
    if (!rows.querySelector(".condition-row")) { addRow(); }
    later();
  });
  document.getElementById("add-condition").addEventListener("click", function (event) {
    event.preventDefault();
    addRow();
  });
  document.getElementById("update-count").addEventListener("click", function (event) {
    event.preventDefault();
    refresh();
  });
  form.dataset.ready = "1";
}());
