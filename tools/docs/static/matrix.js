// Filters of the results matrix: rule class, verdict, text. Rows stay in the
// page; filtering only hides them, so the counts on the page stay checkable.
(function () {
  var form = document.getElementById("filters");
  var rows = Array.prototype.slice.call(document.querySelectorAll("#matrix tr.case"));
  var shown = document.getElementById("shown");

  function matches(row, classes, verdict, text) {
    var rowClasses = row.getAttribute("data-classes").split(" ");
    if (rowClasses[0] && !rowClasses.some(function (c) { return classes.indexOf(c) >= 0; })) return false;
    if (text && row.getAttribute("data-text").indexOf(text) < 0) return false;
    if (!verdict) return true;
    var cells = Array.prototype.slice.call(row.querySelectorAll("td.cell"));
    return cells.some(function (td) {
      var v = td.getAttribute("data-verdict");
      return verdict === "!PASS" ? v !== "PASS" : v === verdict;
    });
  }

  function apply() {
    var classes = Array.prototype.slice.call(form.querySelectorAll("input[name=cls]:checked"))
      .map(function (i) { return i.value; });
    var verdict = form.elements.verdict.value;
    var text = form.elements.text.value.trim().toLowerCase();
    var n = 0;
    rows.forEach(function (row) {
      var ok = matches(row, classes, verdict, text);
      row.hidden = !ok;
      if (ok) n++;
    });
    document.querySelectorAll("#matrix tbody").forEach(function (body) {
      body.hidden = !body.querySelector("tr.case:not([hidden])");
    });
    shown.textContent = n + " of " + rows.length + " cases shown";
  }

  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  apply();
})();
