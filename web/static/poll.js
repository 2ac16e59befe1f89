// Follows an import's progress on its page: asks for it every second and
// updates the counter and the bar, then reloads the page when the import
// has ended. Without JavaScript the page has a link to refresh it.
(function () {
  var box = document.querySelector('[data-poll]');
  if (!box) return;
  var url = box.getAttribute('data-poll');
  var done = document.getElementById('job-done');
  var total = document.getElementById('job-total');
  var bar = document.getElementById('job-bar');
  function tick() {
    fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (s.state !== 'queued' && s.state !== 'running') { window.location.reload(); return; }
        done.textContent = s.done; total.textContent = s.total;
        bar.max = s.total; bar.value = s.done;
        setTimeout(tick, 1000);
      })
      .catch(function () { setTimeout(tick, 3000); });
  }
  setTimeout(tick, 1000);
})();
