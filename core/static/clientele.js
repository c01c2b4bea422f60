// Small behaviours every page shares, wired by data attributes (the pages carry no inline
// script, so the Content-Security-Policy can forbid it):
//   <form data-confirm="Cancel order 42?">   asks before submitting
//   <select data-autosubmit>                 submits its form when changed
//   <input type="checkbox" data-check-all="input[name=ticket_ids]">   ticks or unticks all
//   <a href="/fallback" data-back>           goes back in history when there is one
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
});
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field.matches("[data-autosubmit]") && field.form) field.form.requestSubmit();
});
document.addEventListener("click", (event) => {
  const box = event.target.closest("input[data-check-all]");
  if (box) {
    document.querySelectorAll(box.dataset.checkAll).forEach((other) => {
      other.checked = box.checked;
    });
  }
  const back = event.target.closest("a[data-back]");
  if (back && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});
