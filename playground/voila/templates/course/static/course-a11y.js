// Accessible names for the explorers' sliders and figures, which ipywidgets 8 leaves unnamed.
// Loaded by the course's website (docs/conf.py) and by the playground's Voila template.
(function () {
  "use strict";
  var FIGURE = "The explorer's figure, redrawn from the controls above it.";

  function name(root) {
    root.querySelectorAll(".widget-slider .noUi-handle").forEach(function (handle) {
      if (handle.hasAttribute("aria-label")) return;
      var slider = handle.closest(".widget-slider");
      var label = slider && slider.querySelector(".widget-label");
      var text = label && label.textContent.trim();
      if (text) handle.setAttribute("aria-label", text);
    });
    root.querySelectorAll(".cu-explorer img.widget-image").forEach(function (img) {
      // An explorer that gives its image a tooltip (a title) describes its own figure best.
      if (!img.getAttribute("alt")) img.setAttribute("alt", img.getAttribute("title") || FIGURE);
    });
  }

  new MutationObserver(function () { name(document); })
    .observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", function () { name(document); });
})();
