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
  document.addEventListener("DOMContentLoaded", function () { wire(document); });
})();
