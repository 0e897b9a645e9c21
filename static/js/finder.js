// Keeps the action finder's address clean: fields left empty ("Any", no words)
// are not sent, so the address names only the filters in force. Nothing submits
// on change; the Apply button submits, with or without this script.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) {
    return;
  }
  form.addEventListener("submit", function () {
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name && (field.tagName === "INPUT" || field.tagName === "SELECT") &&
          field.type !== "checkbox" && field.type !== "radio" && field.value === "") {
        field.disabled = true;
      }
    });
  });
  // After Back, the browser may restore the page with the fields still disabled.
  window.addEventListener("pageshow", function () {
    Array.prototype.forEach.call(form.elements, function (field) {
      field.disabled = false;
    });
  });
})();
