// Suggest tag names, canonical tags first, for the comma-separated tag inputs marked data-tag-autocomplete.
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script && script.dataset.url;
  if (!url) return;
  var lists = 0;
  function listFor(input) {
    var list = input.list;
    if (!list) {
      list = document.createElement("datalist");
      list.id = "tag-suggestions-" + ++lists;
      input.insertAdjacentElement("afterend", list);
      input.setAttribute("list", list.id);
    }
    return list;
  }
  function suggest(input) {
    var value = input.value;
    var cut = value.lastIndexOf(",") + 1;
    var term = value.slice(cut).trim();
    if (term.length < 2) return;
    var query = "?term=" + encodeURIComponent(term);
    if (input.dataset.tagType) query += "&type=" + encodeURIComponent(input.dataset.tagType);
    fetch(url + query, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) {
        if (input.value !== value) return;  // the reader typed on; a newer answer is coming
        var before = value.slice(0, cut);
        var list = listFor(input);
        list.replaceChildren();
        data.results.forEach(function (tag) {
          var option = document.createElement("option");
          option.value = (before ? before.replace(/\s*$/, " ") : "") + tag.name;
          option.label = tag.canonical ? tag.name : tag.name + " (not canonical)";
          list.appendChild(option);
        });
      })
      .catch(function () {});
  }
  document.querySelectorAll("input[data-tag-autocomplete]").forEach(function (input) {
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { suggest(input); }, 150);
    });
  });
})();
