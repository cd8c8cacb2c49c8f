// Confirmation before destructive actions (forms or submit buttons marked data-confirm), without inline script (CSP).
document.addEventListener("submit", function (event) {
  const button = event.submitter;
  const question = (button && button.getAttribute("data-confirm")) || event.target.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
// Move focus to the error summary after a failed submission, so keyboard and screen-reader users hear it.
document.addEventListener("DOMContentLoaded", function () {
  const summary = document.getElementById("form-errors");
  if (summary) { summary.focus(); }
});
