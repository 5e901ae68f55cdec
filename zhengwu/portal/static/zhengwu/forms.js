// Form errors (zhengwu.core.formerrors): the summary at the top takes the focus when the page comes back
// with errors, so a screen reader reads it and a keyboard user starts from it; a link in it moves the
// focus to its field (not only the scroll position).
(function () {
  function ready(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }
  ready(function () {
    var summary = document.getElementById("error-summary");
    if (!summary) return;
    summary.focus();
    summary.addEventListener("click", function (ev) {
      var link = ev.target.closest("a[href^='#']");
      if (!link) return;
      var id = link.getAttribute("href").slice(1);
      var field = document.getElementById(id) || document.getElementById(id + "_0");  // radios: the first
      if (!field) return;
      ev.preventDefault();
      var box = field.closest("label, fieldset, .field") || field;
      box.scrollIntoView({block: "center"});
      field.focus();
    });
  });
})();
