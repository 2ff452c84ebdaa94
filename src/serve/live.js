// planpub serve: live reload and the error overlay. Injected only by
// `planpub serve`; production builds never carry it.
(function () {
  "use strict";
  var version = 0;
  var overlay = null;
  var base = "/";
  // The output file this page is, relative to the served base path
  // (`/plan/`), as the server lists changed files.
  function currentFile() {
    var p = decodeURIComponent(location.pathname);
    p = p.indexOf(base) === 0 ? p.slice(base.length) : p.replace(/^\//, "");
    if (p === "" || p.charAt(p.length - 1) === "/") { p += "index.html"; }
    return p;
  }
  function showErrors(text) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "planpub-error-overlay";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,20,20,.94);color:#fff;padding:1.5rem;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace";
      var h = document.createElement("h2");
      h.textContent = "planpub: the site could not be rebuilt — still showing the last good version";
      h.style.cssText = "color:#ff8182;font:bold 16px/1.4 system-ui,sans-serif;margin:0 0 1rem";
      var pre = document.createElement("pre");
      pre.style.cssText = "white-space:pre-wrap;margin:0";
      overlay.appendChild(h);
      overlay.appendChild(pre);
      document.body.appendChild(overlay);
    }
    overlay.lastChild.textContent = text;
  }
  function hideErrors() {
    if (overlay) { overlay.remove(); overlay = null; }
  }
  function poll() {
    fetch("/__planpub/poll?since=" + version, { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        var first = version === 0;
        version = s.version;
        if (s.base) { base = s.base; }
        if (s.errors) { showErrors(s.errors); } else { hideErrors(); }
        // The stand-in page shown while no build has succeeded reloads
        // at the first good one.
        var placeholder = document.documentElement.hasAttribute("data-planpub-placeholder");
        if (!first && !s.errors && (placeholder || s.reload_all || s.changed.indexOf(currentFile()) >= 0)) {
          location.reload();
          return;
        }
        poll();
      })
      .catch(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
