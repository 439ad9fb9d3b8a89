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
