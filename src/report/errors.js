// Records script errors, console errors and anything the page's Content-Security-Policy
// blocks (a fetch: the report must need nothing outside itself) into #script-errors.
(function () {
  "use strict";
  var errors = [];
  function show() {
    var e = document.getElementById("script-errors");
    if (e && errors.length) {
      e.textContent = errors.join("\n");
      e.hidden = false;
    }
  }
  function record(m) {
    errors.push(m);
    show();
  }
  window.addEventListener("error", function (e) {
    record("error: " + e.message + (e.lineno ? " (line " + e.lineno + ")" : ""));
  });
  window.addEventListener("unhandledrejection", function (e) {
    record("unhandled rejection: " + e.reason);
  });
  document.addEventListener("securitypolicyviolation", function (e) {
    record("blocked by the page's policy: " + e.blockedURI + " (" + e.violatedDirective + ")");
  });
  var consoleError = console.error;
  console.error = function () {
    record("console.error: " + Array.prototype.join.call(arguments, " "));
    return consoleError.apply(console, arguments);
  };
  document.addEventListener("DOMContentLoaded", show);
})();
