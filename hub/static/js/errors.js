// The error page's "back to the form" goes back in the browser's history when it can: the form comes back with
// what was typed in it (a plain link would load an empty form).
(function () {
  "use strict";
  document.querySelectorAll("[data-history-back]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (window.history.length > 1) {
        event.preventDefault();
        window.history.back();
      }
    });
  });
})();
