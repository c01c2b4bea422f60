// Drag a card onto another column of the pipeline board: fills the card's own move form with
// the column's stage and submits it, so the server sees the same POST as without scripts.
(function () {
  "use strict";
  var board = document.getElementById("pipeline-board");
  if (!board) {
    return;
  }
  var dragged = null;
  board.addEventListener("dragstart", function (event) {
    var card = event.target.closest ? event.target.closest(".pipeline-card") : null;
    if (!card) {
      return;
    }
    dragged = card;
    card.classList.add("opacity-50");
    if (event.dataTransfer) {
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", card.getAttribute("data-deal-id"));
    }
  });
  board.addEventListener("dragend", function () {
    if (dragged) {
      dragged.classList.remove("opacity-50");
    }
    dragged = null;
  });
  board.addEventListener("dragover", function (event) {
    if (dragged && event.target.closest && event.target.closest(".pipeline-drop")) {
      event.preventDefault();
    }
  });
  board.addEventListener("drop", function (event) {
    var column = event.target.closest ? event.target.closest(".pipeline-drop") : null;
    if (!dragged || !column) {
      return;
    }
    event.preventDefault();
    var form = dragged.querySelector("form.pipeline-move");
    var select = form ? form.querySelector("select[name=stage_id]") : null;
    var stage = column.getAttribute("data-stage-id");
    if (!form || !select || select.value === stage) {
      return;
    }
    select.value = stage;
    form.submit();
  });
})();
