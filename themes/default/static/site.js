// planpub default theme: small enhancements only. Every page works without
// this script; it adds copy buttons for citations, badge code and target
// links, and says "copied" to screen readers too.
(function () {
  "use strict";
  if (!navigator.clipboard || !navigator.clipboard.writeText) { return; }
  var status = null;
  function announce(text) {
    if (!status) {
      status = document.createElement("span");
      status.className = "visually-hidden";
      status.setAttribute("role", "status");
      document.body.appendChild(status);
    }
    status.textContent = "";
    setTimeout(function () { status.textContent = text; }, 50);
  }
  function copyText(text, el) {
    navigator.clipboard.writeText(text).then(function () {
      var word = el.getAttribute("data-copied") || "✓";
      var old = el.textContent;
      el.textContent = word;
      announce(word);
      setTimeout(function () { el.textContent = old; }, 1500);
    }, function () {});
  }
  var buttons = document.querySelectorAll("button[data-copy-target]");
  for (var i = 0; i < buttons.length; i++) {
    (function (b) {
      var target = document.getElementById(b.getAttribute("data-copy-target"));
      if (!target) { return; }
      b.hidden = false;
      b.addEventListener("click", function () {
        copyText(target.tagName === "TEXTAREA" ? target.value : target.textContent, b);
      });
    })(buttons[i]);
  }
  var links = document.querySelectorAll("a[data-copy]");
  for (var j = 0; j < links.length; j++) {
    links[j].addEventListener("click", function (e) {
      copyText(this.getAttribute("data-copy"), this);
      // A link to an anchor still goes there; a link to the page itself
      // (the copy-link by the title) only copies.
      if (this.getAttribute("href").indexOf("#") < 0) { e.preventDefault(); }
    });
  }
})();
