// Small screens: the site menu behind one button, and a listing's filters behind a "Filters" toggle that
// wide screens keep open beside the results. Without this script every link and every filter still shows.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  var toggle = document.querySelector("[data-menu-toggle]");
  if (toggle) {
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  if (window.matchMedia && window.matchMedia("(min-width: 50.01rem)").matches) {
    document.querySelectorAll("details[data-filters]").forEach(function (panel) { panel.open = true; });
  }
})();
