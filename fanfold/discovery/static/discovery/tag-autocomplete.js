// Suggest tag names for the comma-separated tag inputs marked data-tag-autocomplete, from /tags/autocomplete/.
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script && script.dataset.url;
  if (!url) return;
  var timer = null;
  function lastTerm(value) {
    var parts = value.split(",");
    return parts[parts.length - 1].trim();
  }
  function suggest(input) {
    var term = lastTerm(input.value);
    var list = document.getElementById(input.getAttribute("list"));
    if (!list || term.length < 2) return;
    var query = "?term=" + encodeURIComponent(term) + (input.dataset.tagType ? "&type=" + input.dataset.tagType : "");
    fetch(url + query, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) {
        var before = input.value.slice(0, input.value.lastIndexOf(",") + 1);
        list.replaceChildren();
        data.results.forEach(function (tag) {
          var option = document.createElement("option");
          option.value = (before ? before + " " : "") + tag.name;
          option.label = tag.name + (tag.canonical ? "" : " (not canonical)");
          list.appendChild(option);
        });
      })
      .catch(function () {});
  }
  document.querySelectorAll("input[data-tag-autocomplete]").forEach(function (input) {
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { suggest(input); }, 150);
    });
  });
})();
