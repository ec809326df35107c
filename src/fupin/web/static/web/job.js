// A background job's page (an import, an assessment): polls the element's data-job-url until the job finishes,
// moving the bar (#job-progress) and the phase (#job-phase); then reloads to show the outcome.
(function () {
  var box = document.querySelector("[data-job-url]");
  if (!box || box.dataset.finished === "1") return;
  var bar = document.getElementById("job-progress");
  var phase = document.getElementById("job-phase");
  function poll() {
    fetch(box.dataset.jobUrl, { credentials: "same-origin" })
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
