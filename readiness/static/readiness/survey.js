/* Readiness survey: conditional answers appear with their choice; the comment counter.
   Everything works without this file: the conditional fields are then always shown. */
(function () {
  "use strict";

  // Characters as a Thai reader counts them: combining vowels and tone marks are not extra
  // (the same rule as core.text.grapheme_length on the server).
  var MARK = /[\p{Mn}\p{Me}]/u;
  function characters(text) {
    var count = 0;
    Array.from((text || "").normalize("NFC")).forEach(function (ch) {
      if (!MARK.test(ch)) { count += 1; }
    });
    return count;
  }

  function setUpConditionals(root) {
    root.querySelectorAll("[data-show-when]").forEach(function (block) {
      var name = block.getAttribute("data-show-when");
      var value = block.getAttribute("data-show-value");
      var inputs = root.querySelectorAll('input[name="' + name + '"]');
      function update() {
        var on = Array.prototype.some.call(inputs, function (input) {
          return input.checked && input.value === value;
        });
        block.hidden = !on;
      }
      inputs.forEach(function (input) { input.addEventListener("change", update); });
      update();
    });
  }

  function setUpCounter(root) {
    var area = root.querySelector("textarea[data-max-characters]");
    var counter = root.getElementById ? root.getElementById("comment-counter") : null;
    if (!area || !counter) { return; }
    var max = parseInt(area.getAttribute("data-max-characters"), 10);
    function update() {
      var count = characters(area.value);
      var over = count - max;
      var template = counter.getAttribute(over > 0 ? "data-over-template" : "data-template");
      counter.textContent = template.replace("{count}", count).replace("{max}", max)
        .replace("{over}", over);
      counter.classList.toggle("counter-over", over > 0);
    }
    area.addEventListener("input", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpConditionals(document);
    setUpCounter(document);
  });
})();
