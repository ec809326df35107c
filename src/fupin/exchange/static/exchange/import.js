// Polls an import or export job (the element with data-job-poll) until it finishes, moving the bar; then reloads
// to show the outcome.
(function () {
  var box = document.querySelector("[data-job-poll]");
  if (!box || box.dataset.finished === "1") return;
  var bar = document.getElementById("job-progress");
  var phase = document.getElementById("job-phase");
  function poll() {
    fetch(box.dataset.url, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (state) {
        if (state.finished) { window.location.reload(); return; }
        bar.value = state.progress.percent;
        bar.textContent = state.progress.percent + "%";
        phase.textContent = state.progress.label;
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
})();
