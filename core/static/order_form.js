// "Add a line" on the new-order form: copy the last line row with empty fields and the next index.
document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("add-line");
  const body = document.getElementById("order-lines");
  if (!button || !body) return;
  button.addEventListener("click", () => {
    const rows = body.querySelectorAll("tr");
    if (rows.length >= Number(button.dataset.max)) {
      button.disabled = true;
      return;
    }
    const copy = rows[rows.length - 1].cloneNode(true);
    const next = rows.length;
    copy.querySelectorAll("input, select").forEach((field) => {
      for (const attribute of ["name", "id"]) {
        const value = field.getAttribute(attribute);
        if (value) field.setAttribute(attribute, value.replace(/^lines-\d+-/, `lines-${next}-`));
      }
      const label = field.getAttribute("aria-label");
      if (label) field.setAttribute("aria-label", label.replace(/\d+$/, String(next + 1)));
      if (field.tagName === "SELECT") field.selectedIndex = 0;
      else field.value = "";
      field.classList.remove("is-invalid");
    });
    copy.querySelectorAll(".invalid-feedback").forEach((message) => message.remove());
    body.appendChild(copy);
  });
});
