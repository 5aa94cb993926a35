// The ISV score dashboard follows the server: every few seconds it asks the score API whether a
// newer snapshot exists and, if so, reloads the page (which is rendered on the server). Without
// JavaScript the page is complete as it is; this only saves a manual reload.
(function () {
  'use strict';
  var config = document.getElementById('live-score-config');
  if (!config || !window.fetch) return;
  var settings;
  try {
    settings = JSON.parse(config.textContent || '{}');
  } catch (e) {
    return;
  }
  if (!settings.isvId) return;
  var shown = settings.computedAt ? Date.parse(settings.computedAt) : 0;
  var every = 5000;
  function check() {
    if (document.hidden) return schedule();
    fetch('/api/v1/isvs/' + encodeURIComponent(settings.isvId) + '/score', { headers: { accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (score) {
        var latest = score && score.computedAt ? Date.parse(score.computedAt) : 0;
        if (latest && latest !== shown) {
          var notice = document.querySelector('[data-score-updated]');
          if (notice) notice.hidden = false;
          window.location.reload();
          return;
        }
        schedule();
      })
      .catch(schedule);
  }
  function schedule() {
    window.setTimeout(check, every);
  }
  schedule();
})();
