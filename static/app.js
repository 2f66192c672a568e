// Small progressive enhancements; every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // Print buttons are hidden until JavaScript can make them work.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  // Move focus to the error summary or notice so screen readers announce it.
  var summary = document.getElementById("error-summary") || document.getElementById("form-notice");
  if (summary) { summary.focus(); }
  // Prevent a double submit from a double click (the server is idempotent anyway).
  document.querySelectorAll("form.pakn-form").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (button) { setTimeout(function () { button.disabled = true; }, 0); }
    });
  });
});
