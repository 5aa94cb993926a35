// Courses: the lesson reader's heartbeat. While the lesson is on screen and the reader has been
// active recently, it tells the server every N seconds; the server measures the time between
// heartbeats itself (gaps are not counted, each lesson is capped), so this script can only
// report presence, never inflate time. Without JavaScript the lesson still works (the time from
// opening to completion is counted instead, capped).
(function () {
  'use strict';
  // On narrow screens the table of contents starts folded so the lesson comes first.
  var toc = document.querySelector('.reader-toc details');
  if (toc && window.matchMedia && window.matchMedia('(max-width: 860px)').matches)
    toc.removeAttribute('open');

  var article = document.getElementById('lesson');
  if (!article) return;
  var lessonId = article.getAttribute('data-lesson-id');
  var every = Number(article.getAttribute('data-heartbeat')) || 0;
  if (!lessonId || every <= 0 || !window.fetch) return;

  var IDLE_MS = 5 * 60 * 1000;
  var lastActivity = Date.now();
  ['scroll', 'keydown', 'pointerdown', 'pointermove', 'touchstart', 'focus'].forEach(function (name) {
    window.addEventListener(
      name,
      function () {
        lastActivity = Date.now();
      },
      { passive: true },
    );
  });

  function beat() {
    if (document.visibilityState !== 'visible') return;
    if (Date.now() - lastActivity > IDLE_MS) return;
    fetch('/api/v1/lessons/' + encodeURIComponent(lessonId) + '/heartbeat', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: '{}',
      keepalive: true,
    }).catch(function () {
      /* offline: the next beat simply counts nothing for the gap */
    });
  }

  var timer = window.setInterval(beat, every * 1000);
  document.addEventListener('visibilitychange', function () {
    // Coming back to the tab: note it, so the server's clock restarts from here.
    if (document.visibilityState === 'visible') {
      lastActivity = Date.now();
      beat();
    }
  });
  window.addEventListener('pagehide', function () {
    beat();
    window.clearInterval(timer);
  });
})();
