// Events pages: a print button on rosters, and the check-in field ready for the next scan.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  var code = document.querySelector("#checkin-form input[name=code]");
  if (code) {
    code.focus();
  }
})();
