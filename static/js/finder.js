// Applies the action finder's filters as soon as a box is ticked or a choice
// made. The form works without this script: the Apply button does the same.
// After the page reloads, focus returns to the control that was changed, so
// keyboard and screen-reader users keep their place.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var KEY = "finder-focus";
  if (!form) {
    return;
  }
  try {
    var last = window.sessionStorage.getItem(KEY);
    window.sessionStorage.removeItem(KEY);
    var control = last && document.getElementById(last);
    if (control) {
      control.focus();
    }
  } catch (error) {
    // Storage may be disabled; the page works the same without it.
  }
  form.addEventListener("change", function (event) {
    if (event.target.name === "q") {
      return; // words: wait for Enter or Apply
    }
    try {
      window.sessionStorage.setItem(KEY, event.target.id);
    } catch (error) {
      // As above.
    }
    if (form.requestSubmit) {
      form.requestSubmit();
    } else {
      form.submit();
    }
  });
})();
