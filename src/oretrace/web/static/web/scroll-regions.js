// A box that scrolls sideways (a wide table on a phone) must be reachable by keyboard: each
// one that overflows takes part in the tab order, and leaves it again when it fits.
(function () {
  var boxes = "table, .table-scroll, .scores, .picture-scroll, pre";
  function mark() {
    document.querySelectorAll(boxes).forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        if (!box.hasAttribute("tabindex")) box.setAttribute("tabindex", "0");
      } else if (box.getAttribute("tabindex") === "0" && !box.dataset.keepTab) {
        box.removeAttribute("tabindex");
      }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mark);
  else mark();
  window.addEventListener("resize", mark);
  document.addEventListener("htmx:afterSettle", mark);
})();
