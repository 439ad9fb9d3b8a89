// The staff pages' only script of their own: small progressive enhancements on top of htmx.

// Filter forms marked data-drop-empty leave their empty fields out of the URL, so it stays short and shareable.
document.addEventListener("htmx:configRequest", function (event) {
  var form = event.detail.elt.closest && event.detail.elt.closest("form[data-drop-empty]");
  if (!form || event.detail.verb !== "get") return;
  var params = event.detail.parameters;
  Array.from(params.keys()).forEach(function (name) {
    var values = params.getAll(name);
    if (values.every(function (value) { return value === ""; })) params.delete(name);
  });
});

// A preview of delivered amounts is what its Save button saves, and the server refuses a save of anything else.
// So once a field differs from the amounts previewed, Save is disabled and the preview marked stale until the
// fields match it again or a new preview replaces it.
function previewedAmounts(preview) {
  var input = preview.querySelector('input[name="amounts"]');
  try {
    return JSON.parse(input.value);
  } catch (error) {
    return null;
  }
}

// The [entry id, amount] pairs the fields hold now, empty fields left out (they leave their entry as it is).
function fieldAmounts(form) {
  return Array.from(form.querySelectorAll("[data-previewed-field]"))
    .map(function (field) {
      var entry = form.querySelector('[name="' + field.name.replace(/delivered_amount$/, "entry_id") + '"]');
      return [entry ? entry.value : "", field.value.trim()];
    })
    .filter(function (pair) { return pair[1] !== ""; });
}

function sameAmounts(first, second) {
  return Array.isArray(second) && first.length === second.length && first.every(function (pair, index) {
    return pair[0] === second[index][0] && Number(pair[1]) === Number(second[index][1]);
  });
}

function checkPreview(form) {
  var preview = form.querySelector("[data-preview]");
  if (!preview) return;
  // A number field holding text that is no number has the value "": it would save nothing, which is not what it shows.
  var unreadable = Array.from(form.querySelectorAll("[data-previewed-field]")).some(function (field) {
    return field.validity && field.validity.badInput;
  });
  var stale = unreadable || !sameAmounts(fieldAmounts(form), previewedAmounts(preview));
  preview.classList.toggle("stale", stale);
  preview.querySelectorAll("[data-stale-notice]").forEach(function (notice) { notice.hidden = !stale; });
  preview.querySelectorAll("[data-save]").forEach(function (button) { button.disabled = stale; });
}

function checkPreviews() {
  document.querySelectorAll("form[data-preview-form]").forEach(checkPreview);
}

document.addEventListener("input", function (event) {
  var form = event.target.closest && event.target.closest("form[data-preview-form]");
  if (form) checkPreview(form);
});
// A preview that arrives after more typing may already be stale; a page shown again may hold restored fields.
document.addEventListener("htmx:afterSettle", checkPreviews);
document.addEventListener("DOMContentLoaded", checkPreviews);
window.addEventListener("pageshow", checkPreviews);

// Filters that need fixing answer 400 with what to fix: show it in place of the results, like any answer.
document.addEventListener("htmx:beforeSwap", function (event) {
  if (event.detail.xhr.status === 400 && event.detail.target && event.detail.target.id === "order-results") {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// The order list's selection: "select all on this page" ticks every row, and a live count says what is selected.
function updateSelection(form) {
  var rows = Array.from(form.querySelectorAll("[data-select-order]"));
  var ticked = rows.filter(function (box) { return box.checked; }).length;
  var all = form.querySelector("[data-all-matching]");
  var page = form.querySelector("[data-select-page]");
  if (page) {
    page.hidden = false;
    page.checked = rows.length > 0 && ticked === rows.length;
    page.indeterminate = ticked > 0 && ticked < rows.length;
  }
  var count = form.querySelector("#selection-count");
  if (count) {
    count.textContent = all && all.checked ? "" : ticked ? ticked + " selected on this page" : "";
  }
}

document.addEventListener("change", function (event) {
  var form = event.target.closest && event.target.closest("form[data-bulk-form]");
  if (!form) return;
  if (event.target.matches("[data-select-page]")) {
    form.querySelectorAll("[data-select-order]").forEach(function (box) { box.checked = event.target.checked; });
  }
  updateSelection(form);
});

function updateSelections() {
  document.querySelectorAll("form[data-bulk-form]").forEach(updateSelection);
}
document.addEventListener("htmx:afterSettle", updateSelections);
document.addEventListener("DOMContentLoaded", updateSelections);
