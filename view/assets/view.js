// SPDX-License-Identifier: Apache-2.0
//
// The page of `casefile view` (man/casefile-view.1): the filters live in
// the URL, beside the token, so that a link opens the same view; the
// histogram and the event table ask the server's JSON API for what they
// show, the table one page at a time as it scrolls (millions of rows are
// never fetched at once). Everything from the evidence is put in the page
// as text (textContent), never as markup: the events come from logs of a
// compromised host. Control characters are shown as their Unicode
// pictures so that they can be seen, not obeyed.
'use strict';
(function () {
  const FIELDS = ['from', 'to', 'actor', 'patient', 'ip', 'host', 'outcome',
    'source', 'action', 'model', 'version', 'q'];
  const ROW_H = 22;        // px, as .row in view.css
  const PAGE = 200;        // events per API call
  const MAX_PX = 8000000;  // tallest scroll area used; beyond, scaled
  const $ = (id) => document.getElementById(id);

  const token = new URLSearchParams(location.search).get('token') || '';
  let filter = {};
  let total = 0;
  let pages = new Map();   // page number -> array of events
  let loading = new Set();
  let generation = 0;      // bumped on every filter change
  let hist = null;
  let zooms = [];          // previous {from, to}, for zoom out
  let selected = null;

  // ---- helpers ----------------------------------------------------------
  function show(v) {
    if (v === null || v === undefined) return '';
    return String(v).replace(/[\u0000-\u001f\u007f]/g, (c) =>
      String.fromCharCode(c === '\u007f' ? 0x2421 : 0x2400 + c.charCodeAt(0)));
  }
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = show(text);
    return e;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function status(text) { $('status').textContent = text; }
  function isoUs(us) {
    const ms = Math.floor(us / 1000);
    const frac = String(((us % 1000000) + 1000000) % 1000000).padStart(6, '0');
    return new Date(ms).toISOString().slice(0, 19) + '.' + frac + 'Z';
  }
  function readFilterFromUrl() {
    const p = new URLSearchParams(location.search);
    filter = {};
    for (const k of FIELDS) { const v = p.get(k); if (v) filter[k] = v; }
  }
  function url() {
    const p = new URLSearchParams();
    p.set('token', token);
    for (const k of FIELDS) if (filter[k]) p.set(k, filter[k]);
    return '?' + p.toString();
  }
  function api(path, extra, withFilter) {
    const p = new URLSearchParams();
    p.set('token', token);
    if (withFilter) for (const k of FIELDS) if (filter[k]) p.set(k, filter[k]);
    for (const k in extra || {}) p.set(k, extra[k]);
    return fetch('/api/' + path + '?' + p.toString(), {cache: 'no-store'})
      .then((r) => r.json().then((j) => {
        if (!r.ok) throw new Error(j.error || ('HTTP ' + r.status));
        return j;
      }));
  }

  // ---- filters ------------------------------------------------------------
  function fillForm() {
    const f = $('filters');
    for (const k of FIELDS) f.elements[k].value = filter[k] || '';
  }
  function setFilter(next, push) {
    filter = {};
    for (const k of FIELDS) if (next[k]) filter[k] = next[k];
    if (push) history.pushState(null, '', url());
    fillForm();
    reload();
  }

  // ---- histogram ----------------------------------------------------------
  function drawHistogram(h) {
    hist = h;
    const box = $('histo');
    clear(box);
    const max = Math.max(1, ...h.buckets);
    h.buckets.forEach((n, i) => {
      const b = el('div', 'bar');
      b.style.height = (100 * n / max) + '%';
      const from = h.start_us + i * h.width_us;
      b.title = isoUs(from) + ': ' + n + ' event(s)';
      b.dataset.i = String(i);
      box.appendChild(b);
    });
    $('histo-label').textContent = h.total ?
      h.total + ' event(s), ' + show(h.first) + ' to ' + show(h.last) : 'no events';
  }
  $('histo').addEventListener('click', (ev) => {
    const i = ev.target.dataset ? ev.target.dataset.i : undefined;
    if (!hist || i === undefined) return;
    const from = hist.start_us + Number(i) * hist.width_us;
    zooms.push({from: filter.from, to: filter.to});
    setFilter(Object.assign({}, filter,
      {from: isoUs(from), to: isoUs(from + hist.width_us - 1)}), true);
  });
  $('zoom-out').addEventListener('click', () => {
    const prev = zooms.pop() || {};
    setFilter(Object.assign({}, filter, {from: prev.from, to: prev.to}), true);
  });

  // ---- the table, virtually scrolled --------------------------------------
  function geometry() {
    const sc = $('scroller');
    const virt = total * ROW_H;
    const real = Math.min(virt, MAX_PX);
    const view = sc.clientHeight || 400;
    const ratio = real > view ? Math.max(1, (virt - view) / (real - view)) : 1;
    return {sc, real, view, ratio};
  }
  function renderRows() {
    const g = geometry();
    $('spacer').style.height = g.real + 'px';
    const v = g.sc.scrollTop * g.ratio;
    const first = Math.floor(v / ROW_H);
    const count = Math.ceil(g.view / ROW_H) + 2;
    const rows = $('rows');
    rows.style.transform = 'translateY(' + (g.sc.scrollTop - (v - first * ROW_H)) + 'px)';
    clear(rows);
    for (let i = first; i < Math.min(total, first + count); i++) {
      const page = Math.floor(i / PAGE);
      const evs = pages.get(page);
      if (!evs) { fetchPage(page); rows.appendChild(el('div', 'row pending', '\u2026')); continue; }
      const e = evs[i - page * PAGE];
      if (!e) continue;
      const r = el('div', 'row event' + (e.outcome === 'failure' ? ' failure' : '') +
        (selected === e.id ? ' sel' : ''));
      r.dataset.id = String(e.id);
      for (const k of ['time', 'source', 'host', 'actor', 'action', 'outcome',
        'patient', 'src_ip', 'message']) {
        const c = el('span', 'c-' + k, e[k]);
        c.title = show(e[k]);
        r.appendChild(c);
      }
      rows.appendChild(r);
    }
  }
  function fetchPage(page) {
    if (loading.has(page)) return;
    loading.add(page);
    const gen = generation;
    api('events', {offset: page * PAGE, limit: PAGE}, true).then((j) => {
      if (gen !== generation) return;
      pages.set(page, j.events);
      loading.delete(page);
      renderRows();
    }).catch((e) => { loading.delete(page); status('error: ' + e.message); });
  }
  $('scroller').addEventListener('scroll', () => requestAnimationFrame(renderRows));
  $('rows').addEventListener('click', (ev) => {
    const r = ev.target.closest('.row.event');
    if (r) openEvent(Number(r.dataset.id));
  });

  // ---- one event and its evidence -----------------------------------------
  function dl(pairs) {
    const d = el('dl');
    for (const [k, v] of pairs) {
      if (v === undefined || v === null || v === '') continue;
      d.appendChild(el('dt', null, k));
      d.appendChild(el('dd', null, typeof v === 'object' ? JSON.stringify(v) : v));
    }
    return d;
  }
  function openEvent(id, withRaw) {
    selected = id;
    renderRows();
    api('event/' + id).then((j) => {
      const box = $('detail');
      clear(box);
      box.appendChild(el('h2', null, 'Event ' + id));
      const e = j.event;
      box.appendChild(dl(Object.keys(e).filter((k) => k !== 'attrs' && k !== 'archive' &&
        k !== 'member' && k !== 'line' && k !== 'offset').map((k) => [k, e[k]])
        .concat([['attrs', e.attrs]])));
      box.appendChild(el('h2', null, 'Evidence'));
      const x = j.evidence;
      box.appendChild(dl([['archive', x.archive], ['archive file', x.archive_path],
        ['verified', x.archive_verified === undefined ? '' : String(x.archive_verified)],
        ['signer', x.signer], ['member', x.member], ['line', x.line], ['byte offset', x.offset]]));
      // the line itself, read on request from the archive once verified
      const b = el('button', null, 'Show the raw line (verified archive)');
      b.id = 'raw-button';
      b.addEventListener('click', () => showRaw(id, box, b));
      box.appendChild(b);
      if (withRaw) showRaw(id, box, b);
    }).catch((e) => status('error: ' + e.message));
  }
  function showRaw(id, box, button) {
    button.disabled = true;
    api('event/' + id + '/raw').then((j) => {
      if (selected !== id) return;
      const r = j.evidence || {};
      if (r.available) {
        box.appendChild(el('p', 'raw-ok', 'Verified: archive signed by ' + r.signer +
          ', member hash checked' + (r.truncated ? ' (line truncated)' : '') +
          (r.escaped ? ' (bytes that are not UTF-8 shown as %XX)' : '')));
        const pre = el('pre', 'raw', r.raw);
        pre.id = 'raw';
        box.appendChild(pre);
      } else {
        const p = el('p', 'raw-missing', 'Raw line not available: ' + r.reason);
        p.id = 'raw';
        box.appendChild(p);
      }
    }).catch((e) => status('error: ' + e.message));
  }

  // ---- findings and scope -------------------------------------------------
  function loadFindings() {
    api('findings').then((j) => {
      const ul = $('finding-list');
      clear(ul);
      if (!j.findings.length) ul.appendChild(el('li', 'hint', 'No findings stored (timeline detect --store).'));
      for (const f of j.findings) {
        const li = el('li', 'finding level-' + show(f.level).replace(/[^a-z]/g, ''));
        li.appendChild(el('strong', null, '[' + show(f.level) + '] ' + show(f.title)));
        li.appendChild(el('div', null, show(f.rule_id) + (f.group ? ' (' + show(f.group) + ')' : '') +
          ': ' + f.count + ' event(s), ' + show(f.first) + ' to ' + show(f.last)));
        const zoom = el('button', 'link', 'show its time');
        zoom.type = 'button';
        zoom.addEventListener('click', () => {
          zooms.push({from: filter.from, to: filter.to});
          setFilter(Object.assign({}, filter, {from: f.first, to: f.last}), true);
        });
        li.appendChild(zoom);
        const evs = el('ul');
        for (const e of f.events.slice(0, 50)) {
          const b = el('button', 'link', show(e.ts) + ' ' + show(e.member) + ':' + show(e.line));
          b.type = 'button';
          b.addEventListener('click', () => openEvent(Number(e.id)));
          const item = el('li');
          item.appendChild(b);
          evs.appendChild(item);
        }
        li.appendChild(evs);
        ul.appendChild(li);
      }
    }).catch((e) => status('error: ' + e.message));
  }
  function loadScope() {
    api('scope').then((j) => {
      if (!j.incident) return;
      const box = $('scope');
      clear(box);
      box.hidden = false;
      const s = j.scope || {};
      box.appendChild(el('strong', null, show(j.id) + ': ' + show(j.title)));
      box.appendChild(el('span', null, ' window ' + show(j.from) + ' to ' + show(j.to) +
        ', ' + (s.affected === undefined ? '?' : s.affected) + ' patient(s) affected '));
      const b = el('button', 'link', 'show the window');
      b.type = 'button';
      b.addEventListener('click', () => setFilter(Object.assign({}, filter, {from: j.from, to: j.to}), true));
      box.appendChild(b);
    }).catch((e) => status('error: ' + e.message));
  }

  // ---- loading ------------------------------------------------------------
  function reload() {
    generation++;
    pages = new Map();
    loading = new Set();
    total = 0;
    $('scroller').scrollTop = 0;
    status('loading\u2026');
    const gen = generation;
    const t0 = performance.now();
    api('histogram', {}, true).then((h) => {
      if (gen !== generation) return;
      total = h.total;
      drawHistogram(h);
      renderRows();
      status(total + ' event(s) (' + Math.round(performance.now() - t0) + ' ms)');
    }).catch((e) => status('error: ' + e.message));
  }

  $('filters').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const next = {};
    for (const k of FIELDS) next[k] = $('filters').elements[k].value.trim();
    zooms = [];
    setFilter(next, true);
  });
  $('clear').addEventListener('click', () => { zooms = []; setFilter({}, true); });
  window.addEventListener('popstate', () => { readFilterFromUrl(); fillForm(); reload(); });
  window.addEventListener('resize', renderRows);

  readFilterFromUrl();
  fillForm();
  reload();
  loadFindings();
  loadScope();
  // a link may open one event (event=ID) and its raw line (raw=1)
  const start = new URLSearchParams(location.search);
  if (/^[0-9]+$/.test(start.get('event') || '')) {
    openEvent(Number(start.get('event')), start.get('raw') === '1');
  }
})();
