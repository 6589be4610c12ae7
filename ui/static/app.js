// Small progressive enhancements; every page works without this file.
// No inline script anywhere: the Content-Security-Policy forbids it.
(function () {
  "use strict";
  // Submit a form when a select marked data-autosubmit changes (the
  // location switcher), and hide its now-needless submit button.
  function wire(root) {
    root.querySelectorAll("select[data-autosubmit]").forEach(function (sel) {
      var form = sel.form;
      var btn = form && form.querySelector("[data-autosubmit-button]");
      if (btn) btn.hidden = true;
      sel.addEventListener("change", function () {
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
      });
    });
  }
  // A button marked data-copy="<id>" copies that element's text (the new
  // API token). It is hidden in the page and shown only when the clipboard
  // can be used, so without script there is no dead button.
  function wireCopy(root) {
    if (!navigator.clipboard || !window.isSecureContext) return;
    root.querySelectorAll("button[data-copy]").forEach(function (btn) {
      var target = document.getElementById(btn.getAttribute("data-copy"));
      if (!target) return;
      btn.hidden = false;
      btn.addEventListener("click", function () {
        navigator.clipboard.writeText(target.textContent.trim()).then(function () {
          btn.textContent = "Copied";
        }, function () {
          btn.textContent = "Copy failed: select the text";
        });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { wire(document); wireCopy(document); });
})();
