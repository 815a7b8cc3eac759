// Anything that takes longer than a second says it is working (issue 16: progress on every
// action). A form sent by a full page load shows the notice after a second; the answer
// replaces the page, and the notice with it. A download (a list's "a[data-export]", a PDF
// report's "a[data-busy]") carries a token; the file comes back with a cookie naming it
// (web.exports.answered), which hides the notice.
// Long work that runs as a job (imports, re-matching, the template export) has its own
// progress bar on the job's page; htmx requests have their own indicators.
(function () {
  var DELAY = 1000;
  var COOKIE = "oretrace_download=";
  var box = function () { return document.getElementById("busy"); };
  function show(text) {
    var b = box();
    if (!b) return;
    b.querySelector("[data-text]").textContent = text;
    b.hidden = false;
  }
  function hide() {
    var b = box();
    if (b) b.hidden = true;
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || form.hasAttribute("hx-post") || form.hasAttribute("hx-get")) return;
    var b = box();
    if (!b) return;
    var timer = setTimeout(function () { show(b.dataset.working); }, DELAY);
    window.addEventListener("pagehide", function () { clearTimeout(timer); }, { once: true });
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-export], a[data-busy]") : null;
    var b = box();
    if (!link || !b) return;
    var token = Math.random().toString(36).slice(2, 12);
    var url = new URL(link.href, window.location.href);
    url.searchParams.set("ready", token);
    link.href = url.toString(); // read by the browser after this handler
    var started = Date.now();
    var timer = setTimeout(function () { show(b.dataset.preparing); }, DELAY);
    var poll = setInterval(function () {
      if (document.cookie.indexOf(COOKIE + token) !== -1 || Date.now() - started > 600000) {
        clearTimeout(timer);
        clearInterval(poll);
        hide();
      }
    }, 400);
  });
  window.addEventListener("pageshow", hide); // back to a page kept in the browser's cache
})();
