/* The project's dependency graph: open a wide graph at the first task not done, and offer
   a "Fit to width" view. Without JavaScript the graph simply scrolls sideways. */
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("[data-graph-scroll]"), function (box) {
    var svg = box.querySelector("svg");
    if (!svg || box.scrollWidth <= box.clientWidth + 4) return;
    var node = svg.querySelector(".node:not(.node-done):not(.node-external)");
    if (node) {
      var offset = node.getBoundingClientRect().left - box.getBoundingClientRect().left;
      box.scrollLeft = Math.max(0, box.scrollLeft + offset - 24);
    }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "fit-toggle";
    button.textContent = "Fit to width";
    button.setAttribute("aria-pressed", "false");
    button.addEventListener("click", function () {
      var fit = box.classList.toggle("is-fit");
      button.setAttribute("aria-pressed", fit ? "true" : "false");
    });
    box.parentNode.insertBefore(button, box);
  });
})();
