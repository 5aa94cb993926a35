// The exam page and the result page.
//
// Exam page — zero loss: every change is kept in localStorage at once (with a sequence number
// from a per-attempt counter that only grows) and sent with PUT; an answer counts as saved only
// when the server acknowledges it. Unsaved answers are resent when the network returns (the
// "online" event, and retries with backoff), and after a reload they are re-applied over the
// server's copy when they are newer (higher seq). The clock is the server's: the page only
// shows the remaining seconds the server last reported, counted down with a monotonic timer and
// resynchronised by every heartbeat. Integrity signals (focus loss, hidden tab, leaving full
// screen, copy, paste, context menu, offline/online) are queued, persisted and sent in order.
//
// Result page — a copy button for the receipt's SHA-256, and polling until the result changes.
(function () {
  'use strict';

  var TEXT_DEBOUNCE_MS = 600;
  var MAX_RETRY_MS = 30000;

  function fmt(template, params) {
    return String(template).replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole;
    });
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (name) {
        var value = attrs[name];
        if (value === null || value === undefined || value === false) return;
        if (name === 'text') node.textContent = value;
        else if (name === 'className') node.className = value;
        else if (value === true) node.setAttribute(name, '');
        else node.setAttribute(name, String(value));
      });
    }
    (children || []).forEach(function (child) {
      if (child) node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }

  function randomId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }

  /** localStorage under one prefix, falling back to memory when storage is unavailable. */
  function storage(prefix) {
    var memory = {};
    return {
      get: function (key, fallback) {
        try {
          var raw = window.localStorage.getItem(prefix + key);
          if (raw !== null) return JSON.parse(raw);
        } catch (e) { /* private mode or corrupt value: use memory */ }
        return Object.prototype.hasOwnProperty.call(memory, key) ? memory[key] : fallback;
      },
      set: function (key, value) {
        memory[key] = value;
        try { window.localStorage.setItem(prefix + key, JSON.stringify(value)); } catch (e) { /* memory only */ }
      },
      clear: function () {
        memory = {};
        try {
          var doomed = [];
          for (var i = 0; i < window.localStorage.length; i++) {
            var k = window.localStorage.key(i);
            if (k && k.indexOf(prefix) === 0) doomed.push(k);
          }
          doomed.forEach(function (k) { window.localStorage.removeItem(k); });
        } catch (e) { /* nothing to clear */ }
      },
    };
  }

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent || 'null') : null;
  }

  // ---------------------------------------------------------------------------------------------
  // The exam page
  // ---------------------------------------------------------------------------------------------

  // One page session per browser tab: a reload of the same tab keeps it (sessionStorage), another
  // tab, browser or device gets a new one, which the server treats as a second session.
  function tabSessionId(attemptId) {
    var key = 'pa.exam.session.' + attemptId;
    try {
      var id = window.sessionStorage.getItem(key);
      if (!id || !/^[\w-]{8,64}$/.test(id)) {
        id = randomId();
        window.sessionStorage.setItem(key, id);
      }
      return id;
    } catch (e) {
      return randomId();
    }
  }

  function runExam(root) {
    var config = readJson('exam-config');
    if (!config || !window.fetch) return;
    var S = config.strings;
    var sessionId = tabSessionId(config.attemptId);
    var store = storage('pa.exam.' + config.attemptId + '.');

    var $ = function (id) { return document.getElementById(id); };
    var ui = {
      timer: $('exam-timer'),
      timerBox: $('exam-timer-box'),
      connection: $('exam-connection'),
      fullscreen: $('exam-fullscreen'),
      banner: $('exam-banner'),
      announce: $('exam-announce'),
      messages: $('exam-messages'),
      messageList: $('exam-message-list'),
      paused: $('exam-paused'),
      timeup: $('exam-timeup'),
      body: $('exam-body'),
      loading: $('exam-loading'),
      questions: $('exam-questions'),
      navigator: $('exam-navigator'),
      progress: $('exam-progress'),
      pager: $('exam-pager'),
      prev: $('exam-prev'),
      next: $('exam-next'),
      finish: $('exam-finish'),
      submit: $('exam-submit'),
      dialog: $('exam-confirm'),
      confirmCounts: $('exam-confirm-counts'),
      confirmWarnings: $('exam-confirm-warnings'),
      confirmError: $('exam-confirm-error'),
      confirmYes: $('exam-confirm-yes'),
      confirmNo: $('exam-confirm-no'),
    };

    var items = []; // per question: { view, response, marked, status, node, mark, flagButton, order, navButton }
    var byId = {};
    var current = 0;
    var phase = 'loading'; // loading | live | paused | stopped | closing
    var remaining = null;
    var syncedAt = 0;
    var lastMessageId = 0;
    var pending = store.get('pending', {}); // itemId -> { response, marked, seq }
    var events = store.get('events', []); // integrity signals not yet accepted
    var inflight = {};
    var again = {};
    var debounce = {};
    var eventsInflight = false;
    var retryDelay = 0;
    var retryTimer = null;
    var heartbeatTimer = null;
    var tickTimer = null;
    var submitting = false;
    var fullscreenEntered = false;
    var announced = {};

    // ---- network -----------------------------------------------------------------------------

    function call(method, path, body) {
      return fetch(config.apiBase + path, {
        method: method,
        credentials: 'same-origin',
        cache: 'no-store',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-Attempt-Session': sessionId },
        body: body === undefined ? undefined : JSON.stringify(body),
      }).then(function (response) {
        return response.text().then(function (text) {
          var data = null;
          try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
          return { ok: response.ok, status: response.status, data: data || {} };
        });
      });
    }

    function setConnection(state) {
      ui.connection.setAttribute('data-connection', state);
      ui.connection.className = 'exam-connection is-' + state;
      ui.connection.textContent = S[state];
    }

    function networkOk() {
      retryDelay = 0;
      if (retryTimer) { clearTimeout(retryTimer); retryTimer = null; }
      setConnection('online');
    }

    function networkFailed() {
      setConnection(navigator.onLine === false ? 'offline' : 'reconnecting');
      scheduleRetry();
    }

    function scheduleRetry() {
      if (retryTimer || phase === 'stopped') return;
      retryDelay = Math.min(MAX_RETRY_MS, retryDelay ? retryDelay * 2 : 1000);
      retryTimer = setTimeout(function () {
        retryTimer = null;
        if (phase === 'loading') load();
        else { flushAll(); heartbeat(); }
      }, retryDelay + Math.floor(Math.random() * 300));
    }

    function showBanner(text) {
      ui.banner.textContent = text;
      ui.banner.hidden = false;
    }

    // ---- sequence numbers and the local copy ---------------------------------------------------

    function nextSeq() {
      // Read back what is stored: another tab of the same attempt may have counted further.
      var seq = Math.max(Number(store.get('seq', 0)) || 0, nextSeq.last || 0) + 1;
      nextSeq.last = seq;
      store.set('seq', seq);
      return seq;
    }

    function persistPending() { store.set('pending', pending); }
    function persistEvents() { store.set('events', events); }

    // ---- the clock ---------------------------------------------------------------------------

    function syncClock(seconds) {
      if (typeof seconds !== 'number') return;
      remaining = seconds;
      syncedAt = performance.now();
      tick();
    }

    function secondsLeft() {
      if (remaining === null) return null;
      if (phase === 'paused') return remaining;
      return Math.max(0, remaining - (performance.now() - syncedAt) / 1000);
    }

    function clockText(total) {
      var s = Math.max(0, Math.ceil(total));
      var h = Math.floor(s / 3600);
      var m = Math.floor((s % 3600) / 60);
      var two = function (x) { return (x < 10 ? '0' : '') + x; };
      return (h ? h + ':' : '') + two(m) + ':' + two(s % 60);
    }

    function tick() {
      var left = secondsLeft();
      if (left === null) return;
      ui.timer.textContent = clockText(left);
      ui.timerBox.classList.toggle('is-low', left <= 300);
      ui.timerBox.classList.toggle('is-critical', left <= 60);
      [300, 60].forEach(function (mark) {
        if (left <= mark && left > mark - 15 && !announced[mark]) {
          announced[mark] = true;
          ui.announce.textContent = S.timeLeftAnnounce ? fmt(S.timeLeftAnnounce, { time: clockText(left) }) : clockText(left);
        }
      });
      if (left <= 0 && phase === 'live') timeUp();
    }

    // ---- loading and restoring ---------------------------------------------------------------

    function load() {
      call('GET', '').then(function (res) {
        if (res.ok) { networkOk(); start(res.data); return; }
        if (res.status === 401) { showBanner(S.signedOut); scheduleRetry(); return; }
        if (res.status === 404) { ui.loading.textContent = S.loadFailed; return; }
        networkFailed();
      }, function () {
        ui.loading.textContent = S.loadFailed;
        networkFailed();
      });
    }

    function start(view) {
      if (view.state !== 'in_progress' && view.state !== 'paused') { leave(); return; }
      var highest = 0;
      view.items.forEach(function (v) { highest = Math.max(highest, Number(v.seq) || 0); });
      if ((Number(store.get('seq', 0)) || 0) < highest) store.set('seq', highest);
      nextSeq.last = Math.max(nextSeq.last || 0, highest);

      items = view.items.map(function (v, index) {
        var item = { index: index, view: v, response: v.response === undefined ? null : v.response, marked: !!v.marked, status: v.response ? 'saved' : 'empty', order: null };
        // A local answer newer than the server's (made offline, or before a reload) wins and is resent.
        var local = pending[v.itemId];
        if (local && Number(local.seq) > Number(v.seq)) {
          item.response = local.response;
          item.marked = !!local.marked;
          item.status = 'unsaved';
        } else if (local) {
          delete pending[v.itemId];
        }
        byId[v.itemId] = item;
        return item;
      });
      Object.keys(pending).forEach(function (id) { if (!byId[id]) delete pending[id]; });
      persistPending();

      ui.loading.hidden = true;
      items.forEach(renderItem);
      renderNavigator();
      ui.pager.hidden = false;
      ui.finish.hidden = false;
      current = Math.min(items.length - 1, Math.max(0, Number(store.get('current', 0)) || 0));
      show(current, false);

      phase = view.paused ? 'paused' : 'live';
      setPaused(!!view.paused);
      syncClock(view.remainingSeconds);
      tickTimer = setInterval(tick, 250);
      scheduleHeartbeat();
      flushAll();
      heartbeat();
    }

    // ---- rendering questions -----------------------------------------------------------------

    function answerable(item) { return item.view.type !== 'description'; }
    function answered(item) { return answerable(item) && item.response !== null && item.response !== undefined; }

    function renderItem(item) {
      var v = item.view;
      var n = item.index + 1;
      var headingId = 'q-' + v.itemId + '-head';
      var heading = el('h2', { id: headingId, tabindex: '-1', className: 'exam-q-number', text: fmt(S.questionOf, { n: n, total: items.length }) });
      item.mark = el('span', { className: 'save-mark', 'data-save': item.status });
      item.flagButton = el('button', { type: 'button', className: 'button small-button flag-toggle', 'aria-pressed': item.marked ? 'true' : 'false', 'data-flag': '' });
      item.flagButton.addEventListener('click', function () { toggleFlag(item); });
      var head = el('div', { className: 'exam-q-head' }, [
        heading,
        el('span', { className: 'muted small', text: fmt(S.points, { points: v.points }) }),
        item.mark,
        item.flagButton,
      ]);
      var body = el('div', { className: 'exam-q-body' });
      if (v.title) body.appendChild(el('p', { className: 'muted small', text: v.title }));
      body.appendChild(el('p', { className: 'q-stem', text: v.stem }));
      body.appendChild(renderInput(item));
      var tools = el('div', { className: 'exam-q-tools' });
      if (answerable(item)) {
        var clear = el('button', { type: 'button', className: 'link-button', text: S.clear });
        clear.addEventListener('click', function () { clearAnswer(item); });
        tools.appendChild(clear);
      }
      item.node = el('section', { className: 'exam-question', id: 'q-' + v.itemId, 'data-item-id': v.itemId, 'data-type': v.type, 'aria-labelledby': headingId, hidden: true }, [head, body, tools]);
      ui.questions.appendChild(item.node);
      paintItem(item);
    }

    function choiceList(item, kind, options, checkedIds) {
      var name = 'a-' + item.view.itemId;
      var list = el('div', { className: 'choices', role: kind === 'radio' ? 'radiogroup' : 'group' });
      options.forEach(function (o) {
        var input = el('input', { type: kind, name: name, value: o.id, checked: checkedIds.indexOf(o.id) >= 0 });
        input.addEventListener('change', function () { changed(item, true); });
        list.appendChild(el('label', { className: 'choice' }, [input, el('span', { text: o.text })]));
      });
      return list;
    }

    function renderInput(item) {
      var v = item.view;
      var r = item.response || {};
      var wrap = el('div', { className: 'exam-answer' });
      switch (v.type) {
        case 'single_choice':
          wrap.appendChild(choiceList(item, 'radio', v.options, r.optionId ? [r.optionId] : []));
          break;
        case 'multiple_choice':
          wrap.appendChild(el('p', { className: 'hint', text: S.chooseAll }));
          wrap.appendChild(choiceList(item, 'checkbox', v.options, Array.isArray(r.optionIds) ? r.optionIds : []));
          break;
        case 'true_false':
          wrap.appendChild(choiceList(item, 'radio', [{ id: 'true', text: S['true'] }, { id: 'false', text: S['false'] }], r.value === true ? ['true'] : r.value === false ? ['false'] : []));
          wrap.firstChild.classList.add('choices-inline');
          break;
        case 'short_answer':
        case 'numeric': {
          var grid = el('div', { className: 'gaps' });
          for (var g = 0; g < Math.max(1, v.gaps); g++) {
            var id = 'a-' + v.itemId + '-' + g;
            var value = Array.isArray(r.gaps) && r.gaps[g] !== undefined && r.gaps[g] !== null ? String(r.gaps[g]) : '';
            var input = el('input', { id: id, type: 'text', value: value, inputmode: v.type === 'numeric' ? 'decimal' : null, autocomplete: 'off', 'data-gap': g, maxlength: '500' });
            input.addEventListener('input', function () { changed(item, false); });
            input.addEventListener('change', function () { changed(item, true); });
            grid.appendChild(el('label', { for: id, text: fmt(S.gap, { n: g + 1 }) }));
            grid.appendChild(input);
          }
          wrap.appendChild(grid);
          break;
        }
        case 'matching': {
          var selects = el('div', { className: 'selects' });
          var pairs = r.pairs && typeof r.pairs === 'object' ? r.pairs : {};
          v.prompts.forEach(function (p, k) {
            var sid = 'a-' + v.itemId + '-' + k;
            var select = el('select', { id: sid, 'data-prompt': p.id }, [el('option', { value: '', text: S.choose })]);
            v.matches.forEach(function (m) { select.appendChild(el('option', { value: m.id, text: m.text, selected: pairs[p.id] === m.id })); });
            select.addEventListener('change', function () { changed(item, true); });
            selects.appendChild(el('label', { for: sid, text: p.text }));
            selects.appendChild(select);
          });
          wrap.appendChild(selects);
          break;
        }
        case 'ordering': {
          item.order = Array.isArray(r.order) ? r.order.slice() : v.options.map(function (o) { return o.id; });
          item.orderList = el('ol', { className: 'ordering-list' });
          wrap.appendChild(item.orderList);
          var keep = el('button', { type: 'button', className: 'button small-button', text: S.keepOrder });
          keep.addEventListener('click', function () { changed(item, true); });
          wrap.appendChild(keep);
          drawOrder(item);
          break;
        }
        case 'essay': {
          var tid = 'a-' + v.itemId + '-text';
          var area = el('textarea', { id: tid, rows: '10', maxlength: '50000', 'aria-label': S.essayHint });
          area.value = typeof r.text === 'string' ? r.text : '';
          area.addEventListener('input', function () { changed(item, false); });
          area.addEventListener('change', function () { changed(item, true); });
          wrap.appendChild(el('p', { className: 'hint', text: S.essayHint }));
          wrap.appendChild(area);
          break;
        }
        default:
          wrap.appendChild(el('p', { className: 'hint', text: S.noAnswerNeeded }));
      }
      return wrap;
    }

    function drawOrder(item) {
      var byOption = {};
      item.view.options.forEach(function (o) { byOption[o.id] = o; });
      item.orderList.textContent = '';
      item.order.forEach(function (id, k) {
        var up = el('button', { type: 'button', className: 'button small-button', 'aria-label': S.moveUp + ': ' + (byOption[id] ? byOption[id].text : ''), disabled: k === 0, text: '↑' });
        var down = el('button', { type: 'button', className: 'button small-button', 'aria-label': S.moveDown + ': ' + (byOption[id] ? byOption[id].text : ''), disabled: k === item.order.length - 1, text: '↓' });
        up.addEventListener('click', function () { move(item, k, -1); });
        down.addEventListener('click', function () { move(item, k, 1); });
        item.orderList.appendChild(el('li', { 'data-option': id }, [el('span', { className: 'ordering-text', text: byOption[id] ? byOption[id].text : id }), el('span', { className: 'ordering-tools' }, [up, down])]));
      });
    }

    function move(item, k, delta) {
      var to = k + delta;
      if (to < 0 || to >= item.order.length || phase !== 'live') return;
      var moved = item.order.splice(k, 1)[0];
      item.order.splice(to, 0, moved);
      drawOrder(item);
      var buttons = item.orderList.children[to].querySelectorAll('button');
      var focusTarget = buttons[delta < 0 ? 0 : 1];
      (focusTarget && !focusTarget.disabled ? focusTarget : buttons[delta < 0 ? 1 : 0]).focus();
      changed(item, true);
    }

    /** The answer as the form shows it now (null when nothing is given). */
    function readResponse(item) {
      var v = item.view;
      var node = item.node;
      switch (v.type) {
        case 'single_choice': {
          var chosen = node.querySelector('input:checked');
          return chosen ? { optionId: chosen.value } : null;
        }
        case 'multiple_choice': {
          var ids = Array.prototype.map.call(node.querySelectorAll('input:checked'), function (i) { return i.value; });
          return ids.length ? { optionIds: ids } : null;
        }
        case 'true_false': {
          var tf = node.querySelector('input:checked');
          return tf ? { value: tf.value === 'true' } : null;
        }
        case 'short_answer':
        case 'numeric': {
          var gaps = Array.prototype.map.call(node.querySelectorAll('input[data-gap]'), function (i) {
            var text = i.value.trim();
            if (v.type === 'numeric' && /^-?\d+(\.\d+)?$/.test(text)) return Number(text);
            return text;
          });
          return gaps.some(function (g) { return g !== ''; }) ? { gaps: gaps } : null;
        }
        case 'matching': {
          var pairs = {};
          var any = false;
          Array.prototype.forEach.call(node.querySelectorAll('select[data-prompt]'), function (s) {
            if (s.value) { pairs[s.getAttribute('data-prompt')] = s.value; any = true; }
          });
          return any ? { pairs: pairs } : null;
        }
        case 'ordering':
          return { order: item.order.slice() };
        case 'essay': {
          var area = node.querySelector('textarea');
          return area.value.trim() ? { text: area.value } : null;
        }
        default:
          return null;
      }
    }

    function paintItem(item) {
      var status = item.status;
      if (status === 'saved' && !answered(item) && !item.marked) status = 'empty';
      item.mark.setAttribute('data-save', status);
      item.mark.className = 'save-mark is-' + status;
      item.mark.textContent = status === 'saved' ? S.saved : status === 'saving' ? S.saving : status === 'unsaved' ? S.notSaved : status === 'invalid' ? S.invalid : answerable(item) ? S.notAnswered : '';
      item.flagButton.setAttribute('aria-pressed', item.marked ? 'true' : 'false');
      item.flagButton.textContent = item.marked ? S.unflag : S.flag;
      item.flagButton.hidden = !answerable(item);
      if (item.navButton) paintNav(item);
    }

    function renderNavigator() {
      ui.navigator.textContent = '';
      items.forEach(function (item) {
        item.navButton = el('button', { type: 'button', className: 'nav-item', text: String(item.index + 1) });
        item.navButton.addEventListener('click', function () { show(item.index, true); });
        ui.navigator.appendChild(el('li', {}, [item.navButton]));
        paintNav(item);
      });
    }

    function paintNav(item) {
      var b = item.navButton;
      b.classList.toggle('is-answered', answered(item));
      b.classList.toggle('is-marked', item.marked);
      b.classList.toggle('is-current', item.index === current);
      b.classList.toggle('is-unsaved', item.status === 'unsaved' || item.status === 'invalid');
      if (item.index === current) b.setAttribute('aria-current', 'step');
      else b.removeAttribute('aria-current');
      var states = [answered(item) ? S.answered : S.notAnswered];
      if (item.marked) states.push(S.flagged);
      if (item.status === 'unsaved') states.push(S.notSaved);
      b.setAttribute('aria-label', fmt(S.question, { n: item.index + 1 }) + ': ' + states.join(', '));
      b.setAttribute('data-answered', answered(item) ? 'true' : 'false');
      b.setAttribute('data-marked', item.marked ? 'true' : 'false');
      paintProgress();
    }

    function paintProgress() {
      var total = items.filter(answerable).length;
      ui.progress.textContent = fmt(S.confirmCounts, { answered: items.filter(answered).length, total: total });
    }

    function show(index, focus) {
      if (!items.length) return;
      current = Math.max(0, Math.min(items.length - 1, index));
      store.set('current', current);
      items.forEach(function (item) {
        item.node.hidden = item.index !== current;
        if (item.navButton) paintNav(item);
      });
      ui.prev.disabled = current === 0;
      ui.next.disabled = current === items.length - 1;
      if (focus) items[current].node.querySelector('h2').focus();
    }

    // ---- saving ------------------------------------------------------------------------------

    function changed(item, now) {
      if (phase !== 'live') return;
      item.response = readResponse(item);
      keep(item);
      if (debounce[item.view.itemId]) clearTimeout(debounce[item.view.itemId]);
      if (now) send(item.view.itemId);
      else debounce[item.view.itemId] = setTimeout(function () { send(item.view.itemId); }, TEXT_DEBOUNCE_MS);
    }

    /** Keeps the item's current answer locally with a new seq, before anything goes on the wire. */
    function keep(item) {
      pending[item.view.itemId] = { response: item.response, marked: item.marked, seq: nextSeq() };
      persistPending();
      item.status = navigator.onLine === false ? 'unsaved' : 'saving';
      paintItem(item);
    }

    function toggleFlag(item) {
      if (phase !== 'live') return;
      item.marked = !item.marked;
      keep(item);
      send(item.view.itemId);
    }

    function clearAnswer(item) {
      if (phase !== 'live') return;
      Array.prototype.forEach.call(item.node.querySelectorAll('input'), function (i) {
        if (i.type === 'radio' || i.type === 'checkbox') i.checked = false;
        else i.value = '';
      });
      Array.prototype.forEach.call(item.node.querySelectorAll('select'), function (s) { s.value = ''; });
      Array.prototype.forEach.call(item.node.querySelectorAll('textarea'), function (t) { t.value = ''; });
      if (item.view.type === 'ordering') {
        item.order = item.view.options.map(function (o) { return o.id; });
        drawOrder(item);
      }
      item.response = null;
      keep(item);
      send(item.view.itemId);
    }

    function send(itemId) {
      var local = pending[itemId];
      var item = byId[itemId];
      if (!local || !item || phase === 'stopped' || phase === 'loading') return;
      if (inflight[itemId]) { again[itemId] = true; return; }
      if (navigator.onLine === false) {
        // Kept in localStorage; the "online" event (or a retry) sends it.
        item.status = 'unsaved';
        paintItem(item);
        networkFailed();
        return;
      }
      inflight[itemId] = true;
      item.status = 'saving';
      paintItem(item);
      var sent = local.seq;
      call('PUT', '/answers/' + encodeURIComponent(itemId), { response: local.response, seq: sent, marked: !!local.marked }).then(function (res) {
        inflight[itemId] = false;
        if (res.ok) {
          networkOk();
          var now = pending[itemId];
          if (now && Number(now.seq) <= Number(res.data.seq)) {
            delete pending[itemId];
            persistPending();
            item.status = 'saved';
          } else if (now) {
            again[itemId] = true;
          }
        } else {
          refused(item, res);
        }
        paintItem(item);
        if (again[itemId] && pending[itemId]) { again[itemId] = false; send(itemId); }
      }, function () {
        inflight[itemId] = false;
        again[itemId] = false;
        item.status = 'unsaved';
        paintItem(item);
        networkFailed();
      });
    }

    function refused(item, res) {
      var code = res.data.code;
      if (code === 'SESSION_REPLACED') { replaced(); item.status = 'unsaved'; return; }
      if (code === 'ATTEMPT_NOT_IN_PROGRESS' && res.data.state === 'paused') { item.status = 'unsaved'; setPaused(true); return; }
      if (code === 'DEADLINE_PASSED') { item.status = 'unsaved'; closing(true); return; }
      if (code === 'ATTEMPT_NOT_IN_PROGRESS' || code === 'ATTEMPT_NOT_FOUND') { item.status = 'unsaved'; closing(false); return; }
      if (res.status === 400 || res.status === 404) {
        // Cannot succeed by retrying: say so, and stop resending it.
        delete pending[item.view.itemId];
        persistPending();
        item.status = 'invalid';
        return;
      }
      if (res.status === 401) showBanner(S.signedOut);
      item.status = 'unsaved';
      networkFailed();
    }

    function flushAll() {
      Object.keys(pending).forEach(function (id) { if (!inflight[id]) send(id); });
      flushEvents();
    }

    // ---- integrity signals, heartbeat, proctor ------------------------------------------------

    function signal(type) {
      if (phase !== 'live' && phase !== 'paused') return;
      events.push({ type: type, at: new Date().toISOString(), detail: {} });
      if (events.length > 500) events = events.slice(-500);
      persistEvents();
      flushEvents();
    }

    function flushEvents() {
      if (eventsInflight || !events.length || phase === 'stopped' || phase === 'loading') return;
      eventsInflight = true;
      call('POST', '/events', events[0]).then(function (res) {
        eventsInflight = false;
        if (res.ok || (res.status >= 400 && res.status < 500 && res.status !== 401 && res.status !== 429)) {
          events.shift();
          persistEvents();
          if (res.ok) { networkOk(); synced(res.data); }
          flushEvents();
        } else {
          networkFailed();
        }
      }, function () {
        eventsInflight = false;
        networkFailed();
      });
    }

    function scheduleHeartbeat() {
      if (heartbeatTimer) clearInterval(heartbeatTimer);
      var every = (phase === 'paused' ? Math.min(5, config.heartbeatSeconds) : config.heartbeatSeconds) * 1000;
      heartbeatTimer = setInterval(heartbeat, every);
    }

    function heartbeat() {
      if (phase === 'stopped' || phase === 'loading') return Promise.resolve(null);
      return call('POST', '/events', { type: 'heartbeat', at: new Date().toISOString(), detail: { afterMessageId: lastMessageId } }).then(function (res) {
        if (res.ok) { networkOk(); synced(res.data); flushAll(); return res.data; }
        if (res.status === 401) showBanner(S.signedOut);
        networkFailed();
        return null;
      }, function () {
        networkFailed();
        return null;
      });
    }

    /** What every heartbeat and signal brings back: the state, the clock, new proctor messages. */
    function synced(data) {
      if (!data) return;
      (data.messages || []).forEach(function (m) {
        var id = Number(m.id) || 0;
        if (id <= lastMessageId) return;
        lastMessageId = id;
        ui.messages.hidden = false;
        var when = new Date(m.at);
        ui.messageList.appendChild(el('li', { className: 'exam-message', 'data-message': m.id }, [
          el('span', { className: 'small muted', text: fmt(S.messageFrom, { time: isNaN(when.getTime()) ? '' : when.toLocaleTimeString() }) + ' ' }),
          el('span', { text: m.text }),
        ]));
      });
      if (phase === 'closing' || phase === 'stopped') return;
      if (data.state === 'paused') setPaused(true);
      else if (data.state === 'in_progress') setPaused(false);
      else if (data.state) { closing(data.state === 'auto_submitted'); return; }
      if (typeof data.remainingSeconds === 'number') syncClock(data.remainingSeconds);
    }

    function setPaused(paused) {
      var was = phase === 'paused';
      if (phase !== 'live' && phase !== 'paused') return;
      phase = paused ? 'paused' : 'live';
      root.setAttribute('data-state', phase);
      ui.paused.hidden = !paused;
      ui.body.hidden = paused;
      if (was !== paused) {
        scheduleHeartbeat();
        if (!paused) flushAll();
      }
    }

    // ---- the end: time up, closed by the server, replaced, submitted --------------------------

    function timeUp() {
      // The server has the last word: a proctor may have added time we have not heard of yet.
      if (timeUp.checking) return;
      timeUp.checking = true;
      heartbeat().then(function (data) {
        timeUp.checking = false;
        if (data && data.state === 'in_progress' && data.remainingSeconds > 0) return;
        closing(true);
      });
    }

    function lockInputs() {
      Array.prototype.forEach.call(root.querySelectorAll('.exam-main input, .exam-main select, .exam-main textarea, .exam-main button'), function (n) { n.disabled = true; });
    }

    /** Time is up or the attempt was closed on the server: keep trying the last saves, then show the result. */
    function closing(timeIsUp) {
      if (phase === 'closing' || phase === 'stopped') return;
      phase = 'closing';
      root.setAttribute('data-state', 'closing');
      lockInputs();
      if (timeIsUp) ui.timeup.hidden = false;
      else showBanner(S.closed);
      ui.timer.textContent = clockText(0);
      ui.announce.textContent = timeIsUp ? S.timeUp : S.closed;
      // Answers still on their way are accepted within the grace period.
      Object.keys(pending).forEach(function (id) { if (!inflight[id]) resendWhileClosing(id); });
      // Long enough to read what happened, then on to the result.
      var shownUntil = Date.now() + 2500;
      waitForSaves(6000).then(function () { setTimeout(leave, Math.max(0, shownUntil - Date.now())); });
    }

    function resendWhileClosing(itemId) {
      var local = pending[itemId];
      if (!local) return;
      inflight[itemId] = true;
      call('PUT', '/answers/' + encodeURIComponent(itemId), { response: local.response, seq: local.seq, marked: !!local.marked }).then(function (res) {
        inflight[itemId] = false;
        if (res.ok || res.status === 409 || res.status === 400 || res.status === 404) { delete pending[itemId]; persistPending(); }
      }, function () { inflight[itemId] = false; });
    }

    function waitForSaves(ms) {
      var until = Date.now() + ms;
      return new Promise(function (resolve) {
        (function check() {
          var busy = Object.keys(inflight).some(function (id) { return inflight[id]; });
          if ((!busy && !Object.keys(pending).length) || Date.now() > until) resolve();
          else setTimeout(check, 150);
        })();
      });
    }

    function leave() {
      stopTimers();
      phase = 'stopped';
      var go = function () { window.location.assign(config.resultUrl); };
      if (navigator.onLine !== false) { go(); return; }
      // Offline, the result page could not load: when the network is back, try the last answers
      // once more (the server still takes them within its grace period), then go.
      window.addEventListener('online', function () {
        Object.keys(pending).forEach(resendWhileClosing);
        waitForSaves(4000).then(go);
      }, { once: true });
    }

    function stopTimers() {
      if (heartbeatTimer) clearInterval(heartbeatTimer);
      if (tickTimer) clearInterval(tickTimer);
      if (retryTimer) clearTimeout(retryTimer);
      heartbeatTimer = tickTimer = retryTimer = null;
    }

    function replaced() {
      if (phase === 'stopped') return;
      phase = 'stopped';
      stopTimers();
      root.setAttribute('data-state', 'replaced');
      lockInputs();
      ui.finish.hidden = true;
      showBanner(S.sessionReplaced);
    }

    // ---- submission ----------------------------------------------------------------------------

    function openConfirm() {
      if (phase !== 'live' || submitting) return;
      var total = items.filter(answerable).length;
      var done = items.filter(answered).length;
      var flagged = items.filter(function (i) { return i.marked; }).length;
      var unsaved = Object.keys(pending).length;
      ui.confirmCounts.textContent = fmt(S.confirmCounts, { answered: done, total: total });
      ui.confirmWarnings.textContent = '';
      if (total - done > 0) ui.confirmWarnings.appendChild(el('li', { 'data-unanswered': total - done, text: fmt(S.confirmUnanswered, { count: total - done }) }));
      if (flagged > 0) ui.confirmWarnings.appendChild(el('li', { 'data-flagged': flagged, text: fmt(S.confirmFlagged, { count: flagged }) }));
      if (unsaved > 0) ui.confirmWarnings.appendChild(el('li', { 'data-unsaved': unsaved, text: fmt(S.confirmUnsaved, { count: unsaved }) }));
      ui.confirmError.hidden = true;
      ui.confirmYes.disabled = false;
      if (typeof ui.dialog.showModal === 'function') ui.dialog.showModal();
      else ui.dialog.setAttribute('open', '');
    }

    function closeConfirm() {
      if (typeof ui.dialog.close === 'function') ui.dialog.close();
      else ui.dialog.removeAttribute('open');
    }

    function submit() {
      if (submitting || phase !== 'live') return;
      submitting = true;
      ui.confirmYes.disabled = true;
      ui.submit.disabled = true;
      ui.confirmYes.textContent = S.submitting;
      flushAll();
      waitForSaves(8000).then(function () {
        if (Object.keys(pending).length) throw new Error('unsaved');
        return call('POST', '/submission', {});
      }).then(function (res) {
        if (res.ok || res.data.code === 'ATTEMPT_NOT_IN_PROGRESS') {
          phase = 'stopped';
          stopTimers();
          store.clear();
          window.location.assign(config.resultUrl);
          return;
        }
        if (res.data.code === 'SESSION_REPLACED') { closeConfirm(); replaced(); return; }
        throw new Error(res.data.message || 'refused');
      }).catch(function (error) {
        submitting = false;
        ui.submit.disabled = false;
        ui.confirmYes.disabled = false;
        ui.confirmYes.textContent = ui.confirmYes.getAttribute('data-label');
        ui.confirmError.textContent = error && error.message === 'unsaved' ? fmt(S.confirmUnsaved, { count: Object.keys(pending).length }) : S.submitFailed;
        ui.confirmError.hidden = false;
      });
    }

    // ---- wiring -----------------------------------------------------------------------------

    ui.confirmYes.setAttribute('data-label', ui.confirmYes.textContent);
    ui.prev.addEventListener('click', function () { show(current - 1, true); });
    ui.next.addEventListener('click', function () { show(current + 1, true); });
    ui.submit.addEventListener('click', openConfirm);
    ui.confirmYes.addEventListener('click', submit);
    ui.confirmNo.addEventListener('click', function () { if (!submitting) closeConfirm(); });
    ui.dialog.addEventListener('cancel', function (e) { if (submitting) e.preventDefault(); });

    window.addEventListener('online', function () {
      signal('online');
      retryDelay = 0;
      if (retryTimer) { clearTimeout(retryTimer); retryTimer = null; }
      setConnection('reconnecting');
      if (phase === 'loading') load();
      else { flushAll(); heartbeat(); }
    });
    window.addEventListener('offline', function () {
      setConnection('offline');
      signal('offline');
    });
    window.addEventListener('blur', function () { signal('focus_lost'); });
    document.addEventListener('visibilitychange', function () {
      if (document.visibilityState === 'hidden') signal('visibility_hidden');
      else if (phase === 'live' || phase === 'paused') heartbeat();
    });
    document.addEventListener('copy', function () { signal('copy'); });
    document.addEventListener('paste', function () { signal('paste'); });
    document.addEventListener('contextmenu', function () { signal('context_menu'); });

    if (document.fullscreenEnabled && ui.fullscreen) {
      ui.fullscreen.hidden = false;
      ui.fullscreen.addEventListener('click', function () {
        var request = document.documentElement.requestFullscreen();
        if (request && request.catch) request.catch(function () { /* refused by the browser */ });
      });
      document.addEventListener('fullscreenchange', function () {
        if (document.fullscreenElement) {
          fullscreenEntered = true;
          ui.fullscreen.hidden = true;
        } else {
          ui.fullscreen.hidden = false;
          // Leaving full screen counts only once the candidate had entered it.
          if (fullscreenEntered) signal('fullscreen_exit');
          fullscreenEntered = false;
        }
      });
    }

    // Leaving the page: a last try for answers not yet acknowledged (they also stay stored).
    window.addEventListener('pagehide', function () {
      if (phase !== 'live') return;
      Object.keys(pending).forEach(function (id) {
        try {
          fetch(config.apiBase + '/answers/' + encodeURIComponent(id), {
            method: 'PUT',
            credentials: 'same-origin',
            keepalive: true,
            headers: { 'Content-Type': 'application/json', 'X-Attempt-Session': sessionId },
            body: JSON.stringify({ response: pending[id].response, seq: pending[id].seq, marked: !!pending[id].marked }),
          }).catch(function () { /* stays in localStorage */ });
        } catch (e) { /* stays in localStorage */ }
      });
    });

    if (navigator.onLine === false) setConnection('offline');
    load();
  }

  // ---------------------------------------------------------------------------------------------
  // The result page
  // ---------------------------------------------------------------------------------------------

  function runResult(root) {
    var config = readJson('result-config');
    if (!config) return;
    var S = config.strings;
    // Once the attempt is over nothing kept locally can be saved any more.
    if (config.state !== 'in_progress' && config.state !== 'paused') storage('pa.exam.' + config.attemptId + '.').clear();

    var copy = document.getElementById('receipt-copy');
    var copied = document.getElementById('receipt-copied');
    if (copy) {
      copy.hidden = false;
      copy.addEventListener('click', function () {
        var text = copy.getAttribute('data-copy') || '';
        var done = function () { copied.textContent = S.copied; };
        var fallback = function () {
          var range = document.createRange();
          range.selectNodeContents(document.getElementById('receipt-sha256'));
          var selection = window.getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
          try { copied.textContent = document.execCommand('copy') ? S.copied : S.copyFailed; } catch (e) { copied.textContent = S.copyFailed; }
        };
        if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(text).then(done, fallback);
        else fallback();
      });
    }

    if (root.getAttribute('data-waiting') !== 'true' || !window.fetch) return;
    var delay = 3000;
    (function poll() {
      setTimeout(function () {
        fetch('/api/v1/attempts/' + encodeURIComponent(config.attemptId) + '/result', { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (data) {
            if (data && (data.state !== config.state || Boolean(data.released) !== Boolean(config.released))) {
              window.location.reload();
              return;
            }
            delay = Math.min(30000, Math.round(delay * 1.3));
            poll();
          }, function () {
            delay = Math.min(30000, delay * 2);
            poll();
          });
      }, delay);
    })();
  }

  var exam = document.getElementById('exam');
  if (exam) runExam(exam);
  var result = document.getElementById('exam-result');
  if (result) runResult(result);
})();
