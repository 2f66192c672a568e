// Small progressive enhancements; every page works without this file.
"use strict";
(function () {
  // Words come from the page (data-msg-* on <body>), in the page's language.
  function msg(name) {
    return (document.body && document.body.getAttribute("data-msg-" + name)) || "";
  }

  // Print buttons are hidden until JavaScript can make them work.
  function printButtons(root) {
    root.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  // "Copy the link": the link stays selectable text; the button only saves a step.
  function copyButtons(root) {
    root.querySelectorAll("[data-copy]").forEach(function (button) {
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (!source) { return; }
      var status = button.closest("section, div, article");
      status = status && status.querySelector(".copy-status");
      button.hidden = false;
      function say(ok) {
        if (status) { status.textContent = button.getAttribute(ok ? "data-copied" : "data-copy-failed"); }
      }
      function bySelection() {
        var range = document.createRange();
        range.selectNodeContents(source);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        var ok = false;
        try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
        say(ok);
      }
      button.addEventListener("click", function () {
        var text = source.textContent.trim();
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(function () { say(true); }, bySelection);
        } else {
          bySelection();
        }
      });
    });
  }

  // A required radio group or list never says "type": it says "choose".
  function choiceMessages(root) {
    var text = msg("choose");
    if (!text) { return; }
    root.querySelectorAll("select[required], input[type=radio][required]").forEach(function (input) {
      input.addEventListener("invalid", function () {
        if (input.validity.valueMissing) { input.setCustomValidity(text); }
      });
      input.addEventListener("change", function () {
        var group = input.type === "radio" && input.form
          ? input.form.querySelectorAll("input[type=radio][name='" + input.name + "']")
          : [input];
        Array.prototype.forEach.call(group, function (i) { i.setCustomValidity(""); });
      });
    });
  }

  // Shows the page the server answered a form sent in the background with: a redirect
  // is followed (to the receipt), anything else (the form with its errors) replaces
  // this page, as it would have without JavaScript.
  function showAnswer(xhr, action) {
    var final = xhr.responseURL || "";
    if (final && final.split("#")[0] !== action.split("#")[0]) {
      window.location.assign(final);
      return;
    }
    var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
    document.title = doc.title;
    document.body.replaceWith(document.adoptNode(doc.body));
    window.scrollTo(0, 0);
    init(document);
  }

  // "Đang gửi…" on the button; with files, the form goes in the background so that a
  // progress bar can show how much is sent (XMLHttpRequest's upload progress). The server's checks (form token, CSRF,
  // double-submit guard) see the very same request as without JavaScript.
  function sendingForms(root) {
    root.querySelectorAll("form.pakn-form").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (event.defaultPrevented) { return; }
        var button = form.querySelector("button[type=submit]");
        var label = button ? button.textContent : "";
        var sending = msg("sending");
        if (button) {
          setTimeout(function () {
            button.disabled = true;
            if (sending) { button.textContent = sending; }
          }, 0);
        }
        // Only a form that asks for it (data-progress), and only with files chosen: the
        // rest is sent as without JavaScript.
        var chosen = Array.prototype.some.call(form.querySelectorAll("input[type=file]"), function (f) {
          return f.files && f.files.length > 0;
        });
        if (!form.hasAttribute("data-progress") || !chosen || !window.FormData || !window.DOMParser) { return; }
        event.preventDefault();
        var box = form.querySelector(".send-progress");
        if (!box) {
          box = document.createElement("div");
          box.className = "send-progress";
          box.setAttribute("data-testid", "sending");
          box.innerHTML = '<progress max="100" value="0"></progress> <span class="send-progress-text" role="status"></span>';
          (button && button.parentNode === form ? button : form.lastElementChild).insertAdjacentElement("afterend", box);
        }
        var bar = box.querySelector("progress");
        var text = box.querySelector(".send-progress-text");
        var failed = form.querySelector(".send-failed");
        if (failed) { failed.remove(); }
        bar.hidden = false;
        text.textContent = sending;
        if (box.scrollIntoView) { box.scrollIntoView({ block: "nearest" }); }
        var action = form.action;
        var xhr = new XMLHttpRequest();
        xhr.open("POST", action);
        xhr.upload.onprogress = function (e) {
          if (!e.lengthComputable || !e.total) { return; }
          var percent = Math.min(100, Math.round((e.loaded / e.total) * 100));
          bar.value = percent;
          text.textContent = msg("progress").replace("{percent}", String(percent));
        };
        xhr.onload = function () { showAnswer(xhr, action); };
        xhr.onerror = xhr.ontimeout = xhr.onabort = function () {
          bar.hidden = true;
          text.textContent = "";
          if (button) {
            button.disabled = false;
            button.textContent = label;
          }
          var p = document.createElement("p");
          p.className = "alert alert-error send-failed";
          p.setAttribute("role", "alert");
          p.setAttribute("data-testid", "send-failed");
          p.textContent = msg("send-failed");
          box.insertAdjacentElement("afterend", p);
        };
        xhr.send(new FormData(form));
      });
    });
  }

  function init(root) {
    printButtons(root);
    copyButtons(root);
    choiceMessages(root);
    sendingForms(root);
    // Move focus to the error summary or notice so screen readers announce it.
    var summary = document.getElementById("error-summary") || document.getElementById("form-notice");
    if (summary) { summary.focus(); }
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
})();
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
