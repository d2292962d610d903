// The page's script (plain browser JS, no build step). Keyed DOM: one card per service and one row
// per endpoint, created once; each snapshot only changes the text and attributes that differ (a
// Text node's data, not a new node). Every string from the snapshot goes through textContent, Text
// data or setAttribute, never innerHTML. Texts and attributes (the hooks tests and scrapers read) are
// kept current on every card; sparklines, which only the eye reads, are drawn only for cards on or
// near the screen (an IntersectionObserver) and rows of open tables, and caught up when a card
// scrolls into view or a table opens. Off-screen cards skip style, layout and paint
// (content-visibility: auto, in the stylesheet). The page reads `stream?view=page`: the first frame is
// the full snapshot, later ones come without histories (most of the bytes), and the page extends the
// histories it keeps itself. Measured in benchmarks/dashboard-page.bench.ts.
export const PAGE_SCRIPT = `(function () {
'use strict';
var base = location.pathname.charAt(location.pathname.length - 1) === '/' ? location.pathname : location.pathname + '/';
var SVG = 'http://www.w3.org/2000/svg';
var servicesEl = document.getElementById('services');
var eventsEl = document.getElementById('events');
var connEl = document.getElementById('conn');
var sumEl = document.getElementById('sum');
var cards = new Map();
var last = null;
var lastAt = 0;
var lastEventKey = '';
var histCap = 60;
// Cards on or near the screen; without IntersectionObserver every card counts as visible.
var io = typeof IntersectionObserver === 'function'
  ? new IntersectionObserver(function (entries) {
      for (var i = 0; i < entries.length; i++) {
        var c = entries[i].target.__card;
        if (!c) continue;
        var was = c.visible;
        c.visible = entries[i].isIntersecting;
        if (c.visible && !was) drawCard(c);
      }
    }, { rootMargin: '300px 0px' })
  : null;

function el(tag, cls, text) {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}
function spark(cls, lines) {
  var s = document.createElementNS(SVG, 'svg');
  s.setAttribute('class', 'spark' + (cls ? ' ' + cls : ''));
  s.setAttribute('viewBox', '0 0 100 20');
  s.setAttribute('preserveAspectRatio', 'none');
  var ps = [];
  for (var i = 0; i < lines; i++) {
    var p = document.createElementNS(SVG, 'polyline');
    if (i === 1) p.setAttribute('class', 'p50');
    s.appendChild(p);
    ps.push(p);
  }
  return { svg: s, lines: ps, keys: [] };
}
// Draws series (arrays of numbers) on one shared scale; skipped when nothing changed.
function draw(sp, series, fixedMax) {
  var max = fixedMax || 0;
  if (!fixedMax) for (var i = 0; i < series.length; i++) for (var j = 0; j < series[i].length; j++) if (series[i][j] > max) max = series[i][j];
  if (max <= 0) max = 1;
  for (var k = 0; k < series.length; k++) {
    var xs = series[k];
    var n = xs.length;
    var pts = '';
    for (var m = 0; m < n; m++) {
      // One decimal by rounding, not toFixed (several times faster; this loop runs per point).
      var x = n === 1 ? 100 : Math.round((m * 1000) / (n - 1)) / 10;
      var y = Math.round(190 - (xs[m] / max) * 180) / 10;
      pts += (m ? ' ' : '') + x + ',' + y;
    }
    if (sp.keys[k] !== pts) {
      sp.keys[k] = pts;
      sp.lines[k].setAttribute('points', pts);
    }
  }
}
// A history from a full frame, or the one kept, extended by the current figure (page frames).
function extend(kept, full, value) {
  if (full) return full;
  if (!kept) return [value];
  kept.push(value);
  if (kept.length > histCap) kept.splice(0, kept.length - histCap);
  return kept;
}
// Sets a text only when it changed (the cache avoids reading the DOM); changes the Text node's data
// in place rather than replacing the node, which is cheaper to apply and to lay out again.
function text(node, cache, key, value) {
  if (cache[key] !== value) {
    cache[key] = value;
    var t = node.firstChild;
    if (t !== null && t.nodeType === 3 && t.nextSibling === null) t.data = value;
    else node.textContent = value;
  }
}
function attr(node, cache, key, name, value) {
  if (cache[key] !== value) {
    cache[key] = value;
    node.setAttribute(name, value);
  }
}
function fmtRate(r) { return r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2); }
function fmtPct(s) { return (s * 100).toFixed(s >= 0.9995 || s === 0 ? 0 : 1) + '%'; }
function fmtMs(ms) { return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2); }
function stat(label, sp) {
  var d = el('div', 'stat');
  var v = el('div', 'v', '–');
  d.appendChild(v);
  d.appendChild(el('div', 'l', label));
  d.appendChild(sp.svg);
  return { node: d, v: v };
}
function metaItem(parent, label) {
  var span = el('span', '', label + ' ');
  var b = el('b', '', '–');
  span.appendChild(b);
  parent.appendChild(span);
  return b;
}

function makeCard(name) {
  var c = { rows: new Map(), cache: {}, name: name, visible: io === null, snap: null };
  var node = el('article', 'card');
  node.setAttribute('data-service', name);
  var head = el('div', 'head');
  var h = el('h2', 'name', name);
  h.title = name;
  c.badge = el('span', 'badge', '–');
  head.appendChild(h);
  head.appendChild(c.badge);
  node.appendChild(head);
  var stats = el('div', 'stats');
  c.rateSp = spark('', 1);
  c.okSp = spark('ok', 1);
  c.latSp = spark('', 2);
  c.rate = stat('req/s', c.rateSp);
  c.ok = stat('success', c.okSp);
  c.lat = stat('p99 / p50 ms', c.latSp);
  stats.appendChild(c.rate.node);
  stats.appendChild(c.ok.node);
  stats.appendChild(c.lat.node);
  node.appendChild(stats);
  var meta = el('div', 'meta');
  c.retries = metaItem(meta, 'retries');
  c.hedges = metaItem(meta, 'hedges');
  c.budget = metaItem(meta, 'budget');
  c.bulk = metaItem(meta, 'bulkhead');
  c.eps = metaItem(meta, 'endpoints');
  c.total = metaItem(meta, 'total');
  node.appendChild(meta);
  var det = el('details', 'eps');
  c.summary = el('summary', '', 'endpoints');
  det.appendChild(c.summary);
  var table = el('table');
  var thead = el('thead');
  var tr = el('tr');
  ['address', 'breaker', 'ejected', 'inflight', 'att/s', 'success', 'p99 ms', 'p99'].forEach(function (t) { tr.appendChild(el('th', '', t)); });
  thead.appendChild(tr);
  table.appendChild(thead);
  c.tbody = el('tbody');
  table.appendChild(c.tbody);
  det.appendChild(table);
  det.addEventListener('toggle', function () { if (det.open && c.snap && c.visible) drawRows(c, c.snap); });
  node.appendChild(det);
  c.details = det;
  c.node = node;
  node.__card = c;
  if (io !== null) io.observe(node);
  return c;
}

function makeRow(ep) {
  var r = { cache: {} };
  var tr = el('tr');
  tr.setAttribute('data-endpoint', ep.id);
  r.addr = el('td', 'addr');
  r.badge = el('span', 'badge');
  var tdB = el('td');
  tdB.appendChild(r.badge);
  r.ejected = el('td', 'ejected');
  r.inflight = el('td', 'inflight');
  r.rate = el('td', 'rate');
  r.ok = el('td', 'success');
  r.p99 = el('td', 'p99');
  var tdS = el('td');
  r.sp = spark('', 1);
  tdS.appendChild(r.sp.svg);
  [r.addr, tdB, r.ejected, r.inflight, r.rate, r.ok, r.p99, tdS].forEach(function (td) { tr.appendChild(td); });
  r.node = tr;
  return r;
}

function updateRows(c, s) {
  var seen = new Set();
  var prev = null;
  for (var i = 0; i < s.endpoints.length; i++) {
    var ep = s.endpoints[i];
    seen.add(ep.id);
    var r = c.rows.get(ep.id);
    if (!r) {
      r = makeRow(ep);
      c.rows.set(ep.id, r);
    }
    var want = prev ? prev.nextSibling : c.tbody.firstChild;
    if (want !== r.node) c.tbody.insertBefore(r.node, want);
    prev = r.node;
    var k = r.cache;
    text(r.addr, k, 'addr', ep.address);
    if (k.title !== ep.id) { k.title = ep.id; r.addr.title = ep.id; }
    text(r.badge, k, 'b', ep.breaker);
    attr(r.badge, k, 'bs', 'data-state', ep.breaker);
    attr(r.node, k, 'ej', 'data-ejected', String(ep.ejected));
    attr(r.node, k, 'br', 'data-breaker', ep.breaker);
    text(r.ejected, k, 'e', ep.ejected ? 'ejected' : '');
    text(r.inflight, k, 'i', String(ep.inflight));
    text(r.rate, k, 'r', fmtRate(ep.rate));
    text(r.ok, k, 'o', fmtPct(ep.successRate));
    text(r.p99, k, 'p', fmtMs(ep.p99Ms));
    r.hist = extend(r.hist, ep.history && ep.history.p99Ms, ep.p99Ms);
  }
  c.rows.forEach(function (r, id) {
    if (!seen.has(id)) {
      r.node.remove();
      c.rows.delete(id);
    }
  });
}

function drawRows(c, s) {
  for (var i = 0; i < s.endpoints.length; i++) {
    var ep = s.endpoints[i];
    var r = c.rows.get(ep.id);
    if (r) draw(r.sp, [r.hist]);
  }
}

// The card's sparklines (and its rows' when the table is open), from its latest snapshot.
function drawCard(c) {
  var s = c.snap;
  if (!s) return;
  var h = c.hist;
  draw(c.rateSp, [h.rate]);
  draw(c.okSp, [h.ok], 1);
  draw(c.latSp, [h.p99, h.p50]);
  if (c.details.open) drawRows(c, s);
}

function updateCard(c, s) {
  var k = c.cache;
  c.snap = s;
  var h = s.history;
  var kept = c.hist || {};
  c.hist = {
    rate: extend(kept.rate, h && h.rate, s.rate),
    ok: extend(kept.ok, h && h.successRate, s.successRate),
    p50: extend(kept.p50, h && h.p50Ms, s.p50Ms),
    p99: extend(kept.p99, h && h.p99Ms, s.p99Ms)
  };
  text(c.badge, k, 'b', s.breaker);
  attr(c.badge, k, 'bs', 'data-state', s.breaker);
  attr(c.node, k, 'br', 'data-breaker', s.breaker);
  text(c.rate.v, k, 'rate', fmtRate(s.rate));
  text(c.ok.v, k, 'ok', fmtPct(s.successRate));
  attr(c.ok.v, k, 'okc', 'class', 'v' + (s.successRate < 0.9 ? ' bad' : s.successRate < 0.99 ? ' warn' : ''));
  text(c.lat.v, k, 'lat', fmtMs(s.p99Ms) + ' / ' + fmtMs(s.p50Ms));
  text(c.retries, k, 're', s.retries + ' (' + s.totals.retries + ')');
  text(c.hedges, k, 'he', String(s.hedges));
  text(c.budget, k, 'bu', s.budget ? String(s.budget.balance) : '–');
  text(c.bulk, k, 'bk', s.bulkhead ? s.bulkhead.inFlight + ' / ' + s.bulkhead.queued + ' q' : '–');
  var healthy = 0;
  for (var i = 0; i < s.endpoints.length; i++) if (s.endpoints[i].healthy) healthy++;
  text(c.eps, k, 'ep', healthy + '/' + s.endpoints.length + ' healthy');
  text(c.total, k, 'to', s.totals.requests + ' (' + s.totals.failures + ' failed)');
  text(c.summary, k, 'su', 'endpoints (' + s.endpoints.length + ')');
  updateRows(c, s);
  if (c.visible) drawCard(c);
}

function fmtTime(at) {
  var d = new Date(at);
  return d.toTimeString().slice(0, 8);
}

function updateEvents(events) {
  var tail = events[events.length - 1];
  var key = events.length + (tail ? '|' + tail.at + '|' + tail.service + '|' + (tail.endpoint || '') + '|' + tail.detail : '');
  if (key === lastEventKey) return;
  lastEventKey = key;
  var frag = document.createDocumentFragment();
  for (var i = events.length - 1, n = 0; i >= 0 && n < 100; i--, n++) {
    var e = events[i];
    var li = el('li');
    li.setAttribute('data-kind', e.kind);
    li.appendChild(el('span', 't', fmtTime(e.at)));
    li.appendChild(el('span', 'k', e.kind));
    li.appendChild(el('span', '', e.service + (e.endpoint ? ' / ' + e.endpoint : '') + ': ' + e.detail));
    frag.appendChild(li);
  }
  eventsEl.replaceChildren(frag);
}

function apply(snap) {
  last = snap;
  lastAt = Date.now();
  if (snap.historyPoints > 0) histCap = snap.historyPoints;
  var seen = new Set();
  var prev = null;
  var eps = 0;
  for (var i = 0; i < snap.services.length; i++) {
    var s = snap.services[i];
    seen.add(s.name);
    var c = cards.get(s.name);
    if (!c) {
      c = makeCard(s.name);
      cards.set(s.name, c);
    }
    var want = prev ? prev.nextSibling : servicesEl.firstChild;
    if (want !== c.node) servicesEl.insertBefore(c.node, want);
    prev = c.node;
    updateCard(c, s);
    eps += s.endpoints.length;
  }
  cards.forEach(function (c, name) {
    if (!seen.has(name)) {
      if (io !== null) io.unobserve(c.node);
      c.node.remove();
      cards.delete(name);
    }
  });
  var empty = document.getElementById('empty');
  if (empty) empty.hidden = snap.services.length > 0;
  sumEl.textContent = snap.services.length + ' services · ' + eps + ' endpoints · ' + fmtTime(snap.at);
  updateEvents(snap.events);
  document.body.setAttribute('data-at', String(snap.at));
}

function setConn(state, label) {
  connEl.setAttribute('data-state', state);
  connEl.textContent = label;
}

var es = null;
function connect() {
  setConn('connecting', 'connecting…');
  es = new EventSource(base + 'stream?view=page');
  es.addEventListener('open', function () { setConn('live', 'live'); });
  es.addEventListener('snapshot', function (ev) {
    try { apply(JSON.parse(ev.data)); setConn('live', 'live'); } catch (err) { console.error(err); }
  });
  es.addEventListener('error', function () {
    setConn('disconnected', 'disconnected — reconnecting');
    // EventSource retries by itself unless the server refused the stream; then retry by hand.
    if (es.readyState === 2) { es.close(); setTimeout(connect, 3000); }
  });
}
setInterval(function () {
  if (last && connEl.getAttribute('data-state') === 'live' && Date.now() - lastAt > 3 * last.intervalMs + 2000) setConn('stale', 'stale');
}, 1000);
document.getElementById('expand').addEventListener('click', function () {
  var open = this.getAttribute('data-open') !== 'true';
  this.setAttribute('data-open', String(open));
  this.textContent = open ? 'collapse all' : 'expand all';
  cards.forEach(function (c) { c.details.open = open; });
});
connect();
})();`;
