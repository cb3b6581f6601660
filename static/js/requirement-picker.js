// The requirement picker on the focus-area form: narrow a long list of
// checkboxes by framework, by words, or to the ticked ones. Without
// JavaScript every requirement is listed, grouped by framework.
(function () {
  "use strict";
  function init() {
    var picker = document.getElementById("requirement-picker");
    if (!picker) return;
    var controls = picker.querySelector(".picker-controls");
    var framework = document.getElementById("picker-framework");
    var filter = document.getElementById("picker-filter");
    var chosen = document.getElementById("picker-chosen");
    var status = document.getElementById("picker-status");
    controls.hidden = false;
    function apply() {
      var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
      var group = framework.value;
      var shown = 0;
      picker.querySelectorAll(".picker-group").forEach(function (fieldset) {
        var groupShown = 0;
        var inGroup = !group || fieldset.dataset.group === group;
        fieldset.querySelectorAll(".picker-item").forEach(function (item) {
          var box = item.querySelector("input");
          var text = item.textContent.toLowerCase();
          var match = inGroup && words.every(function (w) { return text.indexOf(w) !== -1; });
          if (chosen.checked && !box.checked) match = false;
          item.hidden = !match;
          if (match) groupShown += 1;
        });
        fieldset.hidden = groupShown === 0;
        shown += groupShown;
      });
      status.textContent = (picker.dataset.shownLabel || "Visas: ") + shown;
    }
    framework.addEventListener("change", apply);
    filter.addEventListener("input", apply);
    chosen.addEventListener("change", apply);
    filter.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault();
    });
    apply();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
