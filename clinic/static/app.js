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
// In-page contents for long pages (the case page): one link per section, built from the sections' own headings.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("nav[data-toc]").forEach(function (nav) {
    const list = document.createElement("ul");
    list.className = "list-inline mb-0";
    const label = document.createElement("li");
    label.className = "list-inline-item fw-semibold";
    label.textContent = "On this page:";
    list.appendChild(label);
    document.querySelectorAll(nav.getAttribute("data-toc") + " section[aria-labelledby]").forEach(function (section) {
      const heading = document.getElementById(section.getAttribute("aria-labelledby"));
      if (!heading) { return; }
      const item = document.createElement("li");
      item.className = "list-inline-item";
      const link = document.createElement("a");
      link.href = "#" + heading.id;
      link.textContent = heading.textContent.trim();
      item.appendChild(link);
      list.appendChild(item);
    });
    if (list.children.length > 2) {
      nav.appendChild(list);
      nav.hidden = false;
    }
  });
});
