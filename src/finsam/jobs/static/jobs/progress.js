// The job page's progress bar: asks the job's status once a second and updates the bar and the
// polite status text; reloads the page when the job has finished, to show its outcome. Without
// JavaScript the page's reload link does the same by hand.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || box.getAttribute("data-finished") === "1" || !window.fetch) {
    return;
  }
  var bar = document.getElementById("job-bar");
  var status = document.getElementById("job-status");
  var reload = document.getElementById("job-reload");
  if (reload) {
    reload.hidden = true;
  }

  function show(s) {
    if (s.total > 0) {
      bar.max = s.total;
      bar.value = s.done;
    }
    bar.textContent = s.percent + " %";
    if (status.textContent !== s.status_text) {
      status.textContent = s.status_text;
    }
  }

  function poll() {
    fetch(box.getAttribute("data-status-url"), {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (s) {
        if (s.finished) {
          window.location.reload();
          return;
        }
        show(s);
        window.setTimeout(poll, 1000);
      })
      .catch(function () {
        if (reload) {
          reload.hidden = false;
        }
        window.setTimeout(poll, 5000);
      });
  }

  window.setTimeout(poll, 1000);
})();
