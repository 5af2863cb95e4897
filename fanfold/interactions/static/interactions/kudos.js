// Leave kudos without reloading the page; without this script the form posts and redirects as usual.
(function () {
  "use strict";
  if (!window.fetch || !window.DOMParser) { return; }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-kudos-form]")) { return; }
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: {
        "Accept": "application/json",
        "X-Requested-With": "XMLHttpRequest",
        "X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value
      }
    }).then(function (response) {
      return response.json();
    }).then(function (answer) {
      var section = form.closest("[data-kudos]");
      var fresh = new DOMParser().parseFromString(answer.html, "text/html").querySelector("[data-kudos]");
      if (section && fresh) {
        section.replaceWith(fresh);
        section = fresh;
      } else if (button) {
        button.disabled = false;
      }
      var status = section ? section.querySelector("[data-kudos-message]") : null;
      if (status) { status.textContent = answer.message; }
    }).catch(function () {
      // Anything unexpected: fall back to the plain form post, which shows its own message.
      form.submit();
    });
  });
})();
