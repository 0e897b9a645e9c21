// The action finder, enhanced. Without this script the form works as it is: the
// Apply button submits it and every filter group is a <details> element.
//
// With it:
// - a change to a checkbox or dropdown (or Apply, or Enter in the words box)
//   fetches the results for the new filters and puts them in place: the count is
//   announced by its live region (#result-count), focus stays where it was, and
//   the address follows with history.replaceState (no page load, no new entry);
// - on narrow screens the filters sit behind a "Filter" button that says how many
//   are applied;
// - longer filter groups get a box that narrows their options as you type;
// - fields left empty ("Any", no words) are never sent, so the address names
//   only the filters in force.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var finder = form && form.closest(".finder");
  if (!finder || !window.fetch || !window.DOMParser || !window.URLSearchParams) {
    return;
  }
  var toggle = finder.querySelector(".finder__toggle");
  var latest = null;

  // Paper order is the default sort: an address without sort= means it.
  var sort = document.getElementById("finder-sort");
  var defaultSort = sort && sort.options.length ? sort.options[0].value : null;

  function query() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (value !== "" && !(name === "sort" && value === defaultSort)) {
        params.append(name, value);
      }
    });
    return params.toString();
  }

  function swapChildren(target, source) {
    if (target && source) {
      target.innerHTML = source.innerHTML;
    }
  }

  // Options that do not contain the typed words are hidden; chosen ones stay.
  function narrow(group) {
    var box = group.querySelector(".facet__narrow input");
    if (!box) {
      return;
    }
    var words = box.value.trim().toLowerCase();
    group.querySelectorAll(".facet__option").forEach(function (option) {
      var checked = option.querySelector("input").checked;
      var text = option.querySelector("label").textContent.toLowerCase();
      option.hidden = !checked && words !== "" && text.indexOf(words) === -1;
    });
  }

  function show(doc, url) {
    var focused = document.activeElement;
    var focusedId = focused && focused.id;
    document.title = doc.title;
    document.getElementById("result-count").textContent =
      doc.getElementById("result-count").textContent;
    swapChildren(toggle, doc.querySelector(".finder__toggle"));
    swapChildren(document.getElementById("finder-notices"), doc.getElementById("finder-notices"));
    swapChildren(document.getElementById("finder-results"), doc.getElementById("finder-results"));
    // Each group keeps its element, its open state and its narrowing box; only
    // its options (with their new counts) and its "n selected" are replaced.
    form.querySelectorAll("details.facet").forEach(function (group) {
      var fresh = doc.getElementById(group.id);
      if (!fresh) {
        return;
      }
      swapChildren(group.querySelector(".facet__chosen"), fresh.querySelector(".facet__chosen"));
      swapChildren(group.querySelector(".facet__body"), fresh.querySelector(".facet__body"));
      narrow(group);
    });
    var feed = document.getElementById("finder-feed");
    var freshFeed = doc.getElementById("finder-feed");
    if (feed && freshFeed) {
      feed.href = freshFeed.getAttribute("href");
    }
    history.replaceState(null, "", url);
    if (focusedId && !document.body.contains(focused)) {
      var again = document.getElementById(focusedId);
      if (again) {
        again.focus();
      }
    }
  }

  function update() {
    var params = query();
    var url = form.action.split("?")[0] + (params ? "?" + params : "");
    if (latest) {
      latest.abort();
    }
    var request = new AbortController();
    latest = request;
    finder.setAttribute("aria-busy", "true");
    fetch(url, { signal: request.signal, headers: { Accept: "text/html" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.text();
      })
      .then(function (html) {
        if (latest === request) {
          show(new DOMParser().parseFromString(html, "text/html"), url);
        }
      })
      .catch(function (error) {
        if (error.name !== "AbortError") {
          window.location.assign(url); // load the page as the form would have
        }
      })
      .finally(function () {
        if (latest === request) {
          finder.removeAttribute("aria-busy");
          latest = null;
        }
      });
  }

  // The sort dropdown sits beside the results, in the form by its form= attribute,
  // so changes are heard on the document.
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.form === form && field.name && field.name !== "q") {
      update();
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    update();
  });
  finder.addEventListener("click", function (event) {
    // The Sort button beside the results submits the form from outside it.
    var button = event.target.closest("button[form='filters']");
    if (button) {
      event.preventDefault();
      update();
    }
  });

  form.querySelectorAll(".facet__narrow").forEach(function (box) {
    box.hidden = false;
    var group = box.closest("details.facet");
    box.querySelector("input").addEventListener("input", function () {
      narrow(group);
    });
  });

  // Hides the Sort button, which only serves visitors without this script.
  finder.classList.add("finder--enhanced");
  if (toggle) {
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = !finder.classList.contains("finder--open");
      finder.classList.toggle("finder--open", open);
      toggle.setAttribute("aria-expanded", String(open));
    });
  }
})();
