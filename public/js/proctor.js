// The proctor console: rows kept live from the server-sent event stream, clocks ticking between
// updates, and the action forms sent to the JSON API (each answers with the attempt's new row).
// Without JavaScript the same forms post to the web routes and the page reloads.
(function () {
  'use strict';
  const dataNode = document.getElementById('console-data');
  const list = document.getElementById('console-list');
  const template = document.getElementById('console-row-template');
  if (!dataNode || !list || !(template instanceof HTMLTemplateElement)) return;

  const data = JSON.parse(dataNode.textContent || '{}');
  const labels = data.labels;
  const statusNode = document.querySelector('[data-stream-status]');
  const feedback = document.querySelector('[data-feedback]');
  const emptyNote = document.querySelector('[data-empty]');
  const FINISHED = ['submitted', 'auto_submitted', 'graded', 'under_review', 'passed', 'failed', 'invalidated'];
  const ENDPOINT = { admission: 'admission', pause: 'pause', resume: 'resume', time: 'time', messages: 'messages', notes: 'notes', termination: 'termination' };

  /** id → the latest row from the server, plus when it was read on the server clock. */
  const rows = new Map();
  let offsetMs = Date.parse(data.serverTime) - Date.now();

  const timeFormat = new Intl.DateTimeFormat(document.documentElement.lang || 'zh-CN', { timeStyle: 'medium', timeZone: 'Asia/Shanghai' });

  function setStatus(text, kind) {
    if (!statusNode) return;
    statusNode.textContent = text;
    statusNode.dataset.kind = kind;
  }

  function say(text, kind) {
    if (!feedback) return;
    feedback.textContent = text;
    feedback.className = 'console-feedback flash flash-' + kind;
  }

  function two(n) {
    return String(n).padStart(2, '0');
  }

  function clock(seconds) {
    if (seconds === null || seconds === undefined) return '—';
    const s = Math.max(0, Math.floor(seconds));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    return h > 0 ? h + ':' + two(m) + ':' + two(s % 60) : two(m) + ':' + two(s % 60);
  }

  function remaining(row) {
    if (!row.deadlineAt) return null;
    const deadline = Date.parse(row.deadlineAt);
    if (row.state === 'paused') return row.pausedAt ? (deadline - Date.parse(row.pausedAt)) / 1000 : row.remainingSeconds;
    if (row.state === 'in_progress') return (deadline - (Date.now() + offsetMs)) / 1000;
    return null;
  }

  function lastSeen(row) {
    if (!row.lastSeenAt) return labels.never;
    const seconds = Math.max(0, Math.round((Date.now() + offsetMs - Date.parse(row.lastSeenAt)) / 1000));
    return seconds < 120 ? labels.secondsAgo.replace('{n}', String(seconds)) : labels.minutesAgo.replace('{n}', String(Math.round(seconds / 60)));
  }

  function detail(row) {
    const parts = [];
    const check = row.identityCheck;
    if (check) parts.push((labels.documents[check.documentType] || check.documentType) + ' ···' + check.documentLast4 + ' · ' + labels.checkedBy + ' ' + check.checkedByName);
    if (row.state === 'admitted' && row.notBefore) parts.push(labels.notBefore + ' ' + timeFormat.format(new Date(row.notBefore)));
    return parts.join(' · ');
  }

  function field(node, name) {
    return node.querySelector('[data-field="' + name + '"]');
  }

  function newRowNode(id) {
    const fragment = template.content.cloneNode(true);
    const node = fragment.querySelector('.console-attempt');
    node.id = 'attempt-' + id;
    node.dataset.attemptId = id;
    node.querySelectorAll('form').forEach(function (form) {
      form.setAttribute('action', form.getAttribute('action').replace('__ID__', id));
    });
    list.appendChild(node);
    return node;
  }

  function draw(row) {
    const node = document.getElementById('attempt-' + row.id) || newRowNode(row.id);
    node.dataset.state = row.state;
    node.className = 'console-attempt state-' + row.state + (row.flagged ? ' is-flagged' : '');
    field(node, 'name').textContent = row.name;
    field(node, 'email').textContent = row.email;
    field(node, 'organisation').textContent = row.organisation || '';
    const state = field(node, 'state');
    state.textContent = labels.states[row.state] || row.state;
    state.className = 'badge state-' + row.state;
    field(node, 'detail').textContent = detail(row);
    field(node, 'clock').textContent = clock(remaining(row));
    field(node, 'added').textContent = row.addedSeconds > 0 ? labels.added.replace('{n}', String(Math.round(row.addedSeconds / 60))) : '';
    field(node, 'progress').textContent = row.total > 0 ? row.answered + ' / ' + row.total : '—';
    const flags = field(node, 'flags');
    flags.replaceChildren();
    row.flagReasons.forEach(function (reason) {
      const badge = document.createElement('span');
      badge.className = 'badge badge-flag';
      badge.textContent = reason;
      flags.append(badge, ' ');
    });
    field(node, 'signals').textContent = field(node, 'signals').textContent.replace(/\d+/, String(row.signals));
    const seen = field(node, 'lastSeen');
    seen.setAttribute('datetime', row.lastSeenAt || '');
    seen.textContent = lastSeen(row);
    node.querySelectorAll('form[data-when]').forEach(function (form) {
      form.hidden = !row.can[form.dataset.when];
    });
  }

  function recount() {
    const counts = { registered: 0, admitted: 0, in_progress: 0, paused: 0, finished: 0, flagged: 0 };
    rows.forEach(function (row) {
      if (row.state in counts) counts[row.state] += 1;
      if (FINISHED.indexOf(row.state) >= 0) counts.finished += 1;
      if (row.flagged) counts.flagged += 1;
    });
    Object.keys(counts).forEach(function (key) {
      const node = document.querySelector('[data-count="' + key + '"]');
      if (node) node.textContent = String(counts[key]);
    });
    if (emptyNote) emptyNote.hidden = rows.size > 0;
  }

  function apply(row, serverTime) {
    if (serverTime) offsetMs = Date.parse(serverTime) - Date.now();
    rows.set(row.id, row);
    draw(row);
    recount();
  }

  // Clocks and "last seen" tick every second between server updates.
  setInterval(function () {
    rows.forEach(function (row) {
      const node = document.getElementById('attempt-' + row.id);
      if (!node) return;
      if (row.state === 'in_progress') field(node, 'clock').textContent = clock(remaining(row));
      field(node, 'lastSeen').textContent = lastSeen(row);
    });
  }, 1000);

  // ---- the live stream ------------------------------------------------------------------------
  const source = new EventSource('/api/v1/sittings/' + encodeURIComponent(data.sittingId) + '/console/stream');
  source.addEventListener('open', function () {
    setStatus(labels.live, 'live');
  });
  source.addEventListener('error', function () {
    if (source.readyState !== EventSource.CLOSED) setStatus(labels.reconnecting, 'reconnecting');
  });
  source.addEventListener('snapshot', function (event) {
    const snapshot = JSON.parse(event.data);
    offsetMs = Date.parse(snapshot.serverTime) - Date.now();
    snapshot.attempts.forEach(function (row) {
      rows.set(row.id, row);
      draw(row);
    });
    recount();
    setStatus(labels.live, 'live');
    document.body.dataset.consoleReady = 'true';
  });
  source.addEventListener('attempt', function (event) {
    const message = JSON.parse(event.data);
    apply(message.attempt, message.serverTime);
  });
  source.addEventListener('closed', function () {
    source.close();
    setStatus(labels.closed, 'closed');
  });
  window.addEventListener('pagehide', function () {
    source.close();
  });

  // ---- actions --------------------------------------------------------------------------------
  function payload(form) {
    const body = {};
    new FormData(form).forEach(function (value, key) {
      if (key === '_csrf' || key === 'sittingId') return;
      if (typeof value !== 'string' || value === '') return;
      body[key] = key === 'minutes' ? Number(value) : key === 'flag' ? true : value;
    });
    if (form.dataset.action === 'notes' && body.flag === undefined) body.flag = false;
    return body;
  }

  list.addEventListener('submit', function (event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.action) return;
    event.preventDefault();
    if (form.dataset.action === 'termination' && !window.confirm(labels.confirmTerminate)) return;
    const node = form.closest('.console-attempt');
    const id = node && node.dataset.attemptId;
    const endpoint = ENDPOINT[form.dataset.action];
    if (!id || !endpoint) return;
    const button = form.querySelector('button[type="submit"]');
    if (button) button.disabled = true;
    fetch('/api/v1/proctoring/attempts/' + encodeURIComponent(id) + '/' + endpoint, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(payload(form)),
    })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) throw new Error(body && body.message ? body.message : String(response.status));
          return body;
        });
      })
      .then(function (row) {
        apply(row, null);
        form.querySelectorAll('input[type="text"], input:not([type]), input[type="checkbox"]').forEach(function (input) {
          if (input.type === 'checkbox') input.checked = false;
          else input.value = '';
        });
        say(labels.done + ' ' + row.name + ' · ' + (labels.states[row.state] || row.state), 'success');
      })
      .catch(function (error) {
        say(labels.failed + ' ' + error.message, 'error');
      })
      .finally(function () {
        if (button) button.disabled = false;
      });
  });
})();
