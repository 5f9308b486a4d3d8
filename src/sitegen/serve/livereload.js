// sitegen serve: reload on rebuild, show build errors. Injected by `sitegen serve` only,
// never written to the built site.
(function () {
  "use strict";
  var OVERLAY_ID = "sitegen-error-overlay";
  function removeOverlay() {
    var old = document.getElementById(OVERLAY_ID);
    if (old) old.remove();
  }
  function showProblems(lines) {
    removeOverlay();
    var box = document.createElement("div");
    box.id = OVERLAY_ID;
    box.setAttribute("role", "alert");
    box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:2rem;" +
      "background:rgba(20,20,24,.94);color:#fff;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace";
    var title = document.createElement("h2");
    title.textContent = "sitegen: the last save did not build";
    title.style.cssText = "margin:0 0 1rem;font:700 20px/1.3 system-ui,sans-serif;color:#ff8b8b";
    var note = document.createElement("p");
    note.textContent = "You are seeing the last good version underneath. Fix the file and save: this page reloads by itself.";
    note.style.cssText = "margin:0 0 1rem;font:15px/1.5 system-ui,sans-serif";
    var list = document.createElement("pre");
    list.style.cssText = "white-space:pre-wrap;margin:0";
    list.textContent = lines.join("\n");
    box.append(title, note, list);
    document.body.appendChild(box);
  }
  function reloadStylesheets(epoch) {
    document.querySelectorAll('link[rel="stylesheet"]').forEach(function (link) {
      var url = new URL(link.href);
      url.searchParams.set("sitegen-reload", epoch);
      link.href = url.toString();
    });
  }
  var events = new EventSource("/_sitegen/events");
  var seen = null;
  events.addEventListener("epoch", function (e) {
    var data = JSON.parse(e.data);
    if (seen === null) { seen = data.epoch; removeOverlay(); return; }
    if (data.epoch === seen) return;
    seen = data.epoch;
    if (data.css_only) { removeOverlay(); reloadStylesheets(data.epoch); }
    else { location.reload(); }
  });
  events.addEventListener("problems", function (e) {
    showProblems(JSON.parse(e.data).problems);
  });
})();
