// Files too large for the server are caught before the form is sent, so nothing typed in the form is lost: a file
// input with data-max-bytes (and data-too-large, the message) refuses a larger file at once and keeps the form here.
// The server checks the same limit again (its page keeps the typed text too).
(function () {
  "use strict";
  function tooLarge(input) {
    var limit = parseInt(input.dataset.maxBytes, 10);
    if (!limit || !input.files) { return false; }
    for (var i = 0; i < input.files.length; i += 1) {
      if (input.files[i].size > limit) { return true; }
    }
    return false;
  }
  function note(input) {
    var id = input.id + "-too-large";
    var box = document.getElementById(id);
    if (!box) {
      box = document.createElement("div");
      box.id = id;
      box.className = "invalid-feedback d-block";
      box.setAttribute("role", "alert");
      input.insertAdjacentElement("afterend", box);
      var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      described.push(id);
      input.setAttribute("aria-describedby", described.join(" "));
    }
    return box;
  }
  function check(input) {
    var bad = tooLarge(input);
    input.classList.toggle("is-invalid", bad);
    note(input).textContent = bad ? input.dataset.tooLarge : "";
    return !bad;
  }
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    input.addEventListener("change", function () { check(input); });
    if (input.form) {
      input.form.addEventListener("submit", function (event) {
        if (!check(input)) {
          event.preventDefault();
          input.focus();
        }
      });
    }
  });
})();
