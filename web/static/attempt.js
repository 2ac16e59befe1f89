// The candidate's page, made nicer: counts the time left down, from what
// the server said when it sent the page, and tells the server when the
// page loses or takes the focus and when text is pasted (the commission
// reads them; they never fail a candidate by themselves). The page works
// without it: the server counts the time and refuses a late answer.
(function () {
  var left = document.getElementById('attempt-remaining');
  if (left) {
    var end = Date.now() + 1000 * parseInt(left.getAttribute('data-remaining'), 10);
    var tick = function () {
      var s = Math.max(0, Math.round((end - Date.now()) / 1000));
      var h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, r = s % 60;
      var pad = function (n) { return (n < 10 ? '0' : '') + n; };
      left.textContent = (h > 0 ? h + ':' + pad(m) : m) + ':' + pad(r);
      left.setAttribute('datetime', 'PT' + s + 'S');
      if (s > 0) setTimeout(tick, 1000);
    };
    tick();
  }
  var form = document.querySelector('[data-events]');
  if (!form) return;
  var url = form.getAttribute('data-events'), item = form.getAttribute('data-item') || '';
  var note = function (kind) {
    fetch(url, { method: 'POST', credentials: 'same-origin', keepalive: true,
      body: new URLSearchParams({ kind: kind, item: item }) }).catch(function () {});
  };
  window.addEventListener('blur', function () { note('blur'); });
  window.addEventListener('focus', function () { note('focus'); });
  document.addEventListener('paste', function () { note('paste'); });
})();
