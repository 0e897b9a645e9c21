// The export page's "Select all" box, wired here instead of an inline onchange
// handler, which the Content-Security-Policy blocks.
document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.querySelector("input.select-toggle");
  if (toggle && typeof onSelectToggleChange === "function") {
    toggle.addEventListener("change", onSelectToggleChange);
  }
});
