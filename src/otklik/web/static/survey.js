// Show a question whose "show if" condition depends on an earlier answer only when it holds.
// Without this script every question is shown with a hint, and the server ignores answers to
// questions whose condition fails.
(function () {
  "use strict";
  var form = document.querySelector("form[action^='/s/']");
  if (!form) return;
  var hints = form.querySelectorAll(".when");
  for (var h = 0; h < hints.length; h++) hints[h].hidden = true;
  function answer(id) {
    var inputs = form.querySelectorAll("[name='" + id + "']");
    var values = [];
    for (var i = 0; i < inputs.length; i++) {
      if ((inputs[i].type === "radio" || inputs[i].type === "checkbox") && !inputs[i].checked) continue;
      if (inputs[i].value !== "") values.push(inputs[i].value);
    }
    return values;
  }
  function holds(rule) {
    var values = answer(rule.question);
    if (!values.length) return false;
    if (rule.any_of) return values.some(function (v) { return rule.any_of.indexOf(v) >= 0; });
    var n = Number(values[0]);
    return (rule.min === undefined || n >= rule.min) && (rule.max === undefined || n <= rule.max);
  }
  function update() {
    var items = form.querySelectorAll("[data-show-if]");
    for (var i = 0; i < items.length; i++) {
      items[i].hidden = !holds(JSON.parse(items[i].getAttribute("data-show-if")));
    }
  }
  form.addEventListener("change", update);
  update();
})();
