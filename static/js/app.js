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
