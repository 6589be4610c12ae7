// Small progressive enhancements; every page works without this file.
// No inline script anywhere: the Content-Security-Policy forbids it.
(function () {
  "use strict";
  // Submit a form when a select marked data-autosubmit changes (the
  // location switcher), and hide its now-needless submit button.
  function wire(root) {
    root.querySelectorAll("select[data-autosubmit]").forEach(function (sel) {
      // Once per select: htmx:load runs this again on swapped-in content.
      if (sel.hasAttribute("data-wired")) return;
      sel.setAttribute("data-wired", "");
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
  document.addEventListener("DOMContentLoaded", function () { wire(document); wireCopy(document); wireBoard(document); });
  // Content htmx swaps in (a task row, the task board) gets the same.
  document.addEventListener("htmx:load", function (e) {
    var root = e.target && e.target.querySelectorAll ? e.target : document;
    wire(root);
    wireBoard(root);
  });

  // Tasks: an action done in place (htmx) says what it did in an HX-Trigger
  // event "avatar:announce"; show it in the page's live region, which
  // screen readers read out.
  document.addEventListener("avatar:announce", function (e) {
    var live = document.querySelector("[data-live]");
    if (!live || !e.detail) return;
    live.textContent = e.detail.message || "";
    live.classList.toggle("error", !!e.detail.error);
  });
  document.addEventListener("htmx:sendError", function () {
    var live = document.querySelector("[data-live]");
    if (!live) return;
    live.textContent = "The server could not be reached. Nothing was changed; try again.";
    live.classList.add("error");
  });
  // The control that was used is gone with the swapped content: give the
  // focus to the element the server marked (the row's or card's title).
  document.addEventListener("htmx:afterSettle", function () {
    var el = document.querySelector("[data-focus-after-swap]");
    if (!el) return;
    el.removeAttribute("data-focus-after-swap");
    el.focus();
  });

  // The task board: drag a card to another column. A drop submits the
  // card's own form for that move (the same form its button submits, which
  // htmx posts and answers with the board), so a drop can do only what a
  // button offers; a card without the form cannot be dropped there.
  // Keyboard users use the buttons.
  function wireBoard(root) {
    root.querySelectorAll("[data-task-card]").forEach(function (card) {
      card.draggable = !!card.querySelector("form[data-move-to]");
    });
  }
  var dragged = null;
  function moveForm(col) {
    if (!dragged || !col) return null;
    return dragged.querySelector('form[data-move-to="' + col.getAttribute("data-drop-status") + '"]');
  }
  function column(e) {
    return e.target && e.target.closest ? e.target.closest("[data-drop-status]") : null;
  }
  function clearDrop() {
    document.querySelectorAll(".board-col.drop-ok").forEach(function (c) { c.classList.remove("drop-ok"); });
  }
  document.addEventListener("dragstart", function (e) {
    var card = e.target && e.target.closest ? e.target.closest("[data-task-card]") : null;
    if (!card || !card.draggable) return;
    dragged = card;
    card.classList.add("dragging");
    if (e.dataTransfer) {
      e.dataTransfer.effectAllowed = "move";
      e.dataTransfer.setData("text/plain", card.getAttribute("data-task-id"));
    }
  });
  document.addEventListener("dragover", function (e) {
    var col = column(e);
    if (!moveForm(col)) return;
    e.preventDefault(); // allows the drop
    if (e.dataTransfer) e.dataTransfer.dropEffect = "move";
    if (!col.classList.contains("drop-ok")) {
      clearDrop();
      col.classList.add("drop-ok");
    }
  });
  document.addEventListener("dragleave", function (e) {
    var col = column(e);
    if (col && !col.contains(e.relatedTarget)) col.classList.remove("drop-ok");
  });
  document.addEventListener("drop", function (e) {
    var form = moveForm(column(e));
    if (!form) return;
    e.preventDefault();
    clearDrop();
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  });
  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    clearDrop();
  });
})();

// Bookings (ui/views/booking.templ): action forms as dialogs, the end time
// of the booking forms, and Enter in the new booking form. Without this,
// the action links open their forms as pages and the forms post the same.
(function () {
  "use strict";
  var BOX = "modal";
  var opener = null;
  // A link that loads an action form into the dialog container: remember
  // it, to give it the focus back when the dialog closes.
  document.addEventListener("htmx:beforeRequest", function (e) {
    var t = e.detail && e.detail.target;
    if (t && t.id === BOX) opener = e.detail.elt;
  });
  // The form could not be loaded (the booking changed meanwhile, say):
  // follow the link, whose page says why.
  document.addEventListener("htmx:responseError", function (e) {
    var t = e.detail && e.detail.target;
    if (t && t.id === BOX && e.detail.elt && e.detail.elt.href) window.location.assign(e.detail.elt.href);
  });
  document.addEventListener("htmx:afterSwap", function (e) {
    var box = e.detail && e.detail.target;
    if (!box || box.id !== BOX) return;
    var dlg = box.querySelector("dialog");
    if (!dlg) return;
    if (typeof dlg.showModal !== "function") {
      if (opener && opener.href) window.location.assign(opener.href);
      return;
    }
    dlg.addEventListener("close", function () {
      box.textContent = "";
      if (opener && document.body.contains(opener)) opener.focus();
    });
    dlg.querySelectorAll("[data-dialog-close]").forEach(function (a) {
      a.addEventListener("click", function (ev) {
        ev.preventDefault();
        dlg.close();
      });
    });
    dlg.showModal();
    wireEnds(dlg);
  });

  // <output data-ends> shows when a booking would end: the time plus the
  // chosen service's minutes (data-minutes on its option), or plus the
  // booking's own length (data-minutes on the output) when rescheduling.
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function wireEnds(root) {
    root.querySelectorAll("output[data-ends]").forEach(function (out) {
      if (out.hasAttribute("data-wired")) return;
      out.setAttribute("data-wired", "");
      var form = out.closest("form");
      if (!form) return;
      var time = form.querySelector('input[name="time"]');
      var svc = form.querySelector('select[name="service"]');
      function update() {
        var mins = parseInt(out.getAttribute("data-minutes") || "", 10);
        if (svc) {
          var opt = svc.options[svc.selectedIndex];
          mins = opt ? parseInt(opt.getAttribute("data-minutes") || "", 10) : NaN;
        }
        var m = time && /^(\d{1,2}):(\d{2})/.exec(time.value);
        if (!m || !(mins > 0)) {
          out.textContent = "—";
          return;
        }
        var t = parseInt(m[1], 10) * 60 + parseInt(m[2], 10) + mins;
        out.textContent = pad(Math.floor(t / 60) % 24) + ":" + pad(t % 60) + (t >= 1440 ? " the next day" : "");
      }
      if (time) {
        time.addEventListener("input", update);
        time.addEventListener("change", update);
      }
      if (svc) svc.addEventListener("change", update);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { wireEnds(document); });
  document.addEventListener("htmx:load", function (e) {
    if (e.target && e.target.querySelectorAll) wireEnds(e.target);
  });

  // Enter in the new booking form makes the booking; its first submit
  // button is the patient search's Find (what Enter does without script).
  // In the search box htmx has already searched.
  document.addEventListener("keydown", function (e) {
    var el = e.target;
    if (e.key !== "Enter" || e.defaultPrevented || !el || el.tagName !== "INPUT" || !el.form || !el.form.hasAttribute("data-booking-form")) return;
    if (el.name === "q") {
      if (window.htmx) e.preventDefault();
      return;
    }
    var primary = el.form.querySelector("[data-primary]");
    if (!primary) return;
    e.preventDefault();
    if (el.form.requestSubmit) el.form.requestSubmit(primary); else primary.click();
  });
})();

// Contacts list (ui/views/contacts.templ): "select all on this page". The
// header box (hidden without script) ticks or clears every row box of its
// form, and shows when only some are ticked; the no-script link that does
// the same through the server is then hidden.
(function () {
  "use strict";
  function items(form) {
    return document.querySelectorAll('input[data-select-item="' + form + '"]');
  }
  function sync(all) {
    var boxes = items(all.getAttribute("data-select-all"));
    var ticked = 0;
    boxes.forEach(function (b) { if (b.checked) ticked++; });
    all.checked = boxes.length > 0 && ticked === boxes.length;
    all.indeterminate = ticked > 0 && ticked < boxes.length;
  }
  function wire(root) {
    root.querySelectorAll("input[data-select-all]").forEach(function (all) {
      all.hidden = false;
      sync(all);
    });
    root.querySelectorAll("[data-select-all-link]").forEach(function (a) { a.hidden = true; });
  }
  document.addEventListener("change", function (e) {
    var el = e.target;
    if (!el || el.tagName !== "INPUT") return;
    var form = el.getAttribute("data-select-all");
    if (form) {
      items(form).forEach(function (b) { b.checked = el.checked; });
      return;
    }
    form = el.getAttribute("data-select-item");
    if (form) {
      var all = document.querySelector('input[data-select-all="' + form + '"]');
      if (all) sync(all);
    }
  });
  document.addEventListener("DOMContentLoaded", function () { wire(document); });
  document.addEventListener("htmx:load", function (e) {
    if (e.target && e.target.querySelectorAll) wire(e.target);
  });
})();

// Two-way SMS (ui/views/sms.templ). The inbox from the keyboard: j/k move
// between conversations, Enter opens one, r replies, d marks it done, a
// goes to its assignee (choose, then Enter). The list polls for changes
// (htmx); the chosen conversation stays chosen across a swap, and a poll
// waits while a select in the list has the focus. In the send box
// Ctrl+Enter (or Cmd+Enter) sends.
(function () {
  "use strict";
  var chosen = null; // the chosen conversation's ID
  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-inbox] [data-conversation]"));
  }
  function current() {
    var rs = rows();
    for (var i = 0; i < rs.length; i++) {
      if (rs[i].getAttribute("data-conversation") === chosen) return rs[i];
    }
    return null;
  }
  function choose(row) {
    rows().forEach(function (r) {
      r.classList.remove("chosen");
      r.removeAttribute("aria-current");
    });
    if (!row) return;
    chosen = row.getAttribute("data-conversation");
    row.classList.add("chosen");
    row.setAttribute("aria-current", "true");
    var open = row.querySelector("[data-inbox-open]");
    if (open) open.focus();
  }
  function typing(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
  }
  function submit(form) {
    if (!form) return;
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }
  document.addEventListener("keydown", function (e) {
    var el = e.target;
    // Ctrl+Enter sends the SMS being typed.
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && el && el.tagName === "TEXTAREA" && el.form && el.form.matches("[data-testid=sms-send-form]")) {
      e.preventDefault();
      submit(el.form);
      return;
    }
    if (!document.querySelector("[data-inbox]") || e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
    // Enter in a conversation's assignee select assigns.
    if (e.key === "Enter" && el && el.hasAttribute && el.hasAttribute("data-assign-select")) {
      e.preventDefault();
      submit(el.form);
      return;
    }
    if (typing(el)) return;
    var rs = rows();
    if (!rs.length) return;
    var row = current();
    var i = row ? rs.indexOf(row) : -1;
    switch (e.key) {
      case "j":
        choose(rs[Math.min(i + 1, rs.length - 1)]);
        break;
      case "k":
        choose(rs[Math.max(i - 1, 0)]);
        break;
      case "Enter":
        if (!row || (el && el.closest && el.closest("a, button"))) return; // the focused link or button does it
        window.location.assign(row.querySelector("[data-inbox-open]").href);
        break;
      case "r":
        if (!row) return;
        window.location.assign(row.querySelector("[data-inbox-reply]").href);
        break;
      case "d":
        if (!row) return;
        var done = row.querySelector("[data-inbox-done]");
        if (done) submit(done.form);
        break;
      case "a":
        if (!row) return;
        var sel = row.querySelector("[data-assign-select]");
        if (sel) sel.focus();
        break;
      default:
        return;
    }
    e.preventDefault();
  });
  // A click in a row chooses it too.
  document.addEventListener("focusin", function (e) {
    var row = e.target && e.target.closest ? e.target.closest("[data-inbox] [data-conversation]") : null;
    if (row && row.getAttribute("data-conversation") !== chosen) {
      chosen = row.getAttribute("data-conversation");
      rows().forEach(function (r) { r.classList.toggle("chosen", r === row); });
    }
  });
  document.addEventListener("htmx:beforeRequest", function (e) {
    var elt = e.detail && e.detail.elt;
    if (!elt || elt.id !== "inbox-list") return;
    var a = document.activeElement;
    if (a && a.tagName === "SELECT" && elt.contains(a)) e.preventDefault();
  });
  document.addEventListener("htmx:afterSettle", function (e) {
    var t = e.detail && e.detail.elt;
    if (!t || !document.querySelector("[data-inbox]")) return;
    var row = current();
    if (!row) return;
    var hadFocus = document.activeElement === document.body;
    row.classList.add("chosen");
    row.setAttribute("aria-current", "true");
    if (hadFocus) {
      var open = row.querySelector("[data-inbox-open]");
      if (open) open.focus();
    }
  });
})();
