// The import page's progress bar: while a check or an import runs (the form was sent and the
// answer has not come yet), ask the server every half second how far that run has got.
// The run itself is the form's own request; this only shows what the server reports.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("import-form");
  const box = document.getElementById("import-progress");
  const label = document.getElementById("import-progress-label");
  const bar = document.getElementById("import-progress-bar");
  if (!form || !box || !label || !bar) return;
  const meter = bar.parentElement;
  let polling = false;

  function show(facts) {
    const percent = Math.max(0, Math.min(100, Number(facts.percent) || 0));
    label.textContent = facts.phase ? `${facts.label} · ${percent} %` : facts.label;
    bar.style.width = `${facts.phase ? percent : 0}%`;
    meter.setAttribute("aria-valuenow", String(percent));
  }

  async function poll() {
    try {
      const answer = await fetch(form.dataset.progressUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        cache: "no-store",
      });
      if (!answer.ok) return; // the upload is gone: the import is saved, the page follows
      show(await answer.json());
    } catch (error) {
      // the page is being replaced by the answer, or the server is busy: try again
    }
    window.setTimeout(poll, 500);
  }

  form.addEventListener("submit", (event) => {
    const action = event.submitter ? event.submitter.value : "";
    if (action !== "check" && action !== "import") return;
    box.hidden = false;
    if (!polling) {
      polling = true;
      window.setTimeout(poll, 300);
    }
  });
});
