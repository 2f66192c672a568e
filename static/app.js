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
// --- ticket ---
// The staff ticket page: an action that ends the handling asks once more; a reply
// template goes straight into its text box (without JavaScript the page reloads with it).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { e.preventDefault(); }
    });
  });
  document.querySelectorAll("form.template-picker").forEach(function (picker) {
    picker.addEventListener("submit", function (e) {
      var box = document.getElementById(picker.getAttribute("data-target"));
      var select = picker.querySelector("select");
      var option = select && select.options[select.selectedIndex];
      if (!box || !option || !option.value) { return; }
      e.preventDefault();
      box.value = option.getAttribute("data-text") || "";
      box.focus();
    });
  });
});
