// planpub default theme: small enhancements only. Every page works without
// this script; it adds copy buttons for citations, badge code and target
// links.
(function () {
  "use strict";
  function copyText(text, button) {
    var done = function () {
      var old = button.textContent;
      button.textContent = button.getAttribute("data-copied") || "✓";
      setTimeout(function () { button.textContent = old; }, 1500);
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, function () {});
    }
  }
  var buttons = document.querySelectorAll("button[data-copy-target]");
  for (var i = 0; i < buttons.length; i++) {
    (function (b) {
      var target = document.getElementById(b.getAttribute("data-copy-target"));
      if (!target || !navigator.clipboard) { return; }
      b.hidden = false;
      b.addEventListener("click", function () {
        copyText(target.value !== undefined && target.tagName === "TEXTAREA" ? target.value : target.textContent, b);
      });
    })(buttons[i]);
  }
  var links = document.querySelectorAll("a[data-copy]");
  for (var j = 0; j < links.length; j++) {
    links[j].addEventListener("click", function (e) {
      if (!navigator.clipboard) { return; }
      copyText(this.getAttribute("data-copy"), this);
      history.replaceState(null, "", this.getAttribute("href"));
      e.preventDefault();
      var row = document.getElementById(this.getAttribute("href").split("#")[1]);
      if (row) { row.scrollIntoView(); }
    });
  }
})();
