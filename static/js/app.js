// Progressive enhancements only: every page works without this file.
document.documentElement.classList.replace("no-js", "js");

document.addEventListener("click", (event) => {
  const toggle = event.target.closest(".nav-toggle");
  if (!toggle) return;
  const open = toggle.getAttribute("aria-expanded") !== "true";
  toggle.setAttribute("aria-expanded", String(open));
  document.getElementById(toggle.getAttribute("aria-controls")).classList.toggle("is-open", open);
});

// A secret shown once is easier to copy when it is already selected.
document.addEventListener("focusin", (event) => {
  if (event.target.matches("input.secret")) event.target.select();
});

// Show only the fields that apply: a client's kind (person or organization), a matter's billing terms.
function applySwitches(root) {
  for (const [switchAttr, fieldsAttr] of [["data-kind-switch", "data-kind-fields"], ["data-billing-switch", "data-billing-fields"]]) {
    root.querySelectorAll(`[${switchAttr}]`).forEach((group) => {
      const form = group.closest("form");
      const checked = group.querySelector("input:checked");
      if (!form || !checked) return;
      form.querySelectorAll(`[${fieldsAttr}]`).forEach((el) => {
        el.classList.toggle("is-hidden", el.getAttribute(fieldsAttr) !== checked.value);
      });
    });
  }
}
document.addEventListener("DOMContentLoaded", () => applySwitches(document));
document.addEventListener("htmx:afterSettle", (event) => applySwitches(event.target));
document.addEventListener("change", (event) => {
  if (event.target.closest("[data-kind-switch], [data-billing-switch]")) applySwitches(event.target.closest("form"));
});
