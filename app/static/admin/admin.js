// fangfei staff dashboard: small helpers (no inline scripts; CSP script-src 'self').
(function () {
  "use strict";
  var toggle = document.querySelector(".nav-toggle");
  var nav = document.getElementById("nav");
  if (toggle && nav) {
    toggle.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  // Forms with data-confirm ask before submitting (e.g. disabling an account).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
  // fetch() helper for state-changing requests: sends the CSRF token header.
  var meta = document.querySelector('meta[name="csrf-token"]');
  window.fangfeiAdmin = {
    csrfToken: meta ? meta.getAttribute("content") : "",
    post: function (url, body) {
      return fetch(url, { method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": this.csrfToken },
        body: JSON.stringify(body || {}) });
    }
  };
})();
