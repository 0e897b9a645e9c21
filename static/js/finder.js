// Applies the action finder's filters as soon as a box is ticked or a choice
// made. The form works without this script: the Apply button does the same.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) {
    return;
  }
  form.addEventListener("change", function (event) {
    if (event.target.name === "q") {
      return; // typing words: wait for Enter or Apply
    }
    if (form.requestSubmit) {
      form.requestSubmit();
    } else {
      form.submit();
    }
  });
})();
