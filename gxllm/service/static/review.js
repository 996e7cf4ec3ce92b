// Keyboard review: j/k choose a flag, c confirms it, e corrects, d dismisses,
// n opens the next record of the queue. The chosen flag's cells and source
// spans are highlighted and scrolled into view.
(function () {
  "use strict";

  function flags() {
    return Array.from(document.querySelectorAll("li.flag"));
  }

  function current() {
    return document.querySelector("li.flag.current");
  }

  function select(flag) {
    document.querySelectorAll(".current").forEach(function (el) { el.classList.remove("current"); });
    if (!flag) { return; }
    flag.classList.add("current");
    flag.scrollIntoView({ block: "nearest" });
    var paths = (flag.dataset.cells || "").split(" ").filter(Boolean);
    var firstMark = null;
    paths.forEach(function (path) {
      document.querySelectorAll('[data-path="' + CSS.escape(path) + '"]').forEach(function (el) {
        el.classList.add("current");
        if (el.tagName === "MARK" && !firstMark) { firstMark = el; }
      });
    });
    // Scroll the source pane alone: the page itself stays where the reviewer left it.
    var pane = firstMark && firstMark.closest(".source");
    if (pane) {
      var offset = firstMark.getBoundingClientRect().top - pane.getBoundingClientRect().top;
      pane.scrollTop += offset - pane.clientHeight / 2;
    }
  }

  function move(step) {
    var all = flags();
    if (!all.length) { return; }
    var index = all.indexOf(current());
    var next = index < 0 ? 0 : Math.min(all.length - 1, Math.max(0, index + step));
    select(all[next]);
  }

  // After load and after every swap, choose the flag the server names (the
  // next open one), else the first open one.
  function restore() {
    var record = document.getElementById("record");
    if (!record) { return; }
    var wanted = record.dataset.current && document.getElementById("flag-" + record.dataset.current);
    select(wanted || document.querySelector("li.flag.open") || flags()[0]);
  }

  function focusIn(selector) {
    var flag = current();
    var field = flag && flag.querySelector(selector);
    if (field) { field.focus(); if (field.select) { field.select(); } }
  }

  document.addEventListener("DOMContentLoaded", restore);
  document.addEventListener("htmx:afterSettle", restore);

  document.addEventListener("click", function (event) {
    var flag = event.target.closest && event.target.closest("li.flag");
    if (flag && !flag.classList.contains("current")) { select(flag); }
  });

  document.addEventListener("keydown", function (event) {
    var typing = event.target.closest && event.target.closest("input, textarea, select");
    if (event.key === "Escape") {
      if (typing) { event.target.blur(); }
      return;
    }
    if (typing || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var button;
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "c":
        button = current() && current().querySelector("button.confirm");
        if (button) { button.click(); }
        break;
      case "e": focusIn("input.correct-value"); break;
      case "d": focusIn("input.dismiss-reason"); break;
      case "n":
        button = document.querySelector("a.next-record");
        if (button) { button.click(); }
        break;
      default: return;
    }
    event.preventDefault();
  });
})();
