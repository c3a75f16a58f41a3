/* Instant filtering of the board's cards. The board works without it: the project and
   person filters are plain links to pre-rendered boards. */
(function () {
  "use strict";
  var box = document.querySelector("[data-quick-filter]");
  if (!box) return;
  var input = box.querySelector("input");
  var counter = box.querySelector(".quick-filter-count");
  var cards = Array.prototype.slice.call(document.querySelectorAll(".card[data-task]"));
  var texts = cards.map(function (card) {
    return (card.textContent + " " + card.getAttribute("data-task") + " " +
            card.getAttribute("data-people")).toLowerCase();
  });
  box.hidden = false;
  function apply() {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    cards.forEach(function (card, i) {
      var match = words.every(function (w) { return texts[i].indexOf(w) !== -1; });
      card.classList.toggle("is-hidden", !match);
      if (match) shown += 1;
    });
    counter.textContent = words.length ? shown + " of " + cards.length + " shown" : "";
  }
  input.addEventListener("input", apply);
})();
