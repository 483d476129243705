// The fwrelay status page: reads the control API as fwrelayctl does and
// follows GET /v1/events (Server-Sent Events). Every change goes through
// the same calls fwrelayctl makes, with the X-Fwrelay header the API wants
// on state-changing requests; a refusal shows the API's own error text.
'use strict';

const $ = (sel) => document.querySelector(sel);
const EVENTS_MAX = 100;
let refreshTimer = null;
let pinholesAt = 0;

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const k of kids)
    if (k !== null && k !== undefined)
      e.append(k instanceof Node ? k : String(k));
  return e;
}

// One API call; throws Error("METHOD PATH: CODE: error text") when refused.
async function api(method, path, body) {
  const opt = { method, headers: { Accept: 'application/json' } };
  if (method !== 'GET')
    opt.headers['X-Fwrelay'] = '1';
  if (body !== undefined) {
    opt.headers['Content-Type'] = 'application/json';
    opt.body = JSON.stringify(body);
  }
  const res = await fetch(path, opt);
  let doc = null;
  try { doc = await res.json(); } catch (e) { doc = null; }
  if (!res.ok) {
    let m = doc && doc.error ? doc.error : res.statusText;
    if (doc && Array.isArray(doc.errors) && doc.errors.length)
      m += ': ' + doc.errors.join('; ');
    throw new Error(method + ' ' + path + ': ' + res.status + ': ' + m);
  }
  return doc;
}

function say(text, kind) {
  const m = $('#msg');
  m.textContent = text;
  m.className = kind;
  m.hidden = false;
}

// Run a change; say what happened; refresh.
async function change(what, method, path, body) {
  try {
    await api(method, path, body);
    say(what + ': done', 'info');
  } catch (e) {
    say(e.message, 'error');
  }
  refresh();
}

function relayPath(name) {
  return '/v1/relays/' + encodeURIComponent(name);
}

function fmtBytes(n) {
  if (n < 10000) return n + ' B';
  if (n < 10000000) return (n / 1024).toFixed(1) + ' KiB';
  return (n / 1048576).toFixed(1) + ' MiB';
}

function fmtSecs(s) {
  if (s < 60) return s.toFixed(1) + ' s';
  if (s < 3600) return Math.floor(s / 60) + ' min ' + Math.floor(s % 60) + ' s';
  return Math.floor(s / 3600) + ' h ' + Math.floor(s % 3600 / 60) + ' min';
}

function faultText(f) {
  const kv = Object.entries(f).filter(([k]) =>
    k !== 'id' && k !== 'type' && k !== 'origin')
    .map(([k, v]) => k + '=' + (typeof v === 'object' ? JSON.stringify(v) : v));
  return f.id + ': ' + f.type + (kv.length ? ' ' + kv.join(' ') : '') +
    (f.origin === 'config' ? ' (config)' : '');
}

// key=value words as fwrelayctl reads them: a number when it is one.
function parseKv(text) {
  const o = {};
  for (const w of text.trim().split(/\s+/).filter(Boolean)) {
    const i = w.indexOf('=');
    if (i < 1) throw new Error("'" + w + "' is not key=value");
    const k = w.slice(0, i), v = w.slice(i + 1);
    o[k] = v !== '' && !isNaN(Number(v)) ? Number(v) : v;
  }
  return o;
}

const rows = new Map();

// A relay's row is built once; refreshes update its text, never what the
// user is editing.
function relayRow(r) {
  const name = r.name;
  const mode = el('select', { class: 'mode', 'aria-label': 'source mode' },
    el('option', { value: 'rewrite' }, 'rewrite'),
    el('option', { value: 'transparent' }, 'transparent'),
    el('option', { value: 'fixed' }, 'fixed'));
  const addr = el('input', { class: 'addr', placeholder: 'source_address',
    'aria-label': 'source address' });
  const dirty = () => { row.dataset.dirty = '1'; };
  mode.addEventListener('change', dirty);
  addr.addEventListener('input', dirty);
  const apply = el('button', { type: 'button', class: 'apply',
    onclick: () => {
      const body = { source: mode.value };
      const a = addr.value.trim();
      if (a !== '') body.source_address = a;
      else if (mode.value !== 'transparent') body.source_address = null;
      delete row.dataset.dirty;
      change(name + ': source ' + mode.value, 'PATCH', relayPath(name), body);
    } }, 'apply');
  const toggle = el('button', { type: 'button', class: 'toggle',
    onclick: () => change(name + (row.enabled ? ': disable' : ': enable'),
      'PATCH', relayPath(name), { enabled: !row.enabled }) });
  const ftype = el('select', { class: 'ftype', 'aria-label': 'fault type' },
    ...['latency', 'bandwidth', 'reset_after', 'blackhole', 'slicer',
      'idle_blackhole', 'pdu_delay', 'pdu_drop', 'cr_refuse', 'er_reply']
      .map((t) => el('option', { value: t }, t)));
  const fkv = el('input', { class: 'kv', placeholder: 'latency_ms=300',
    'aria-label': 'fault keys' });
  const fadd = el('button', { type: 'button', class: 'fadd', onclick: () => {
    let body;
    try { body = parseKv(fkv.value); } catch (e) {
      say('fault add: ' + e.message, 'error');
      return;
    }
    body.type = ftype.value;
    change(name + ': fault ' + ftype.value + ' added', 'POST',
      relayPath(name) + '/faults', body);
  } }, 'add fault');
  const row = el('tr', { 'data-relay': name },
    el('td', {}, el('b', {}, name)),
    el('td', { class: 'addr lt' }),
    el('td', { class: 'proto' }),
    el('td', { class: 'src' }, mode, ' ', addr, ' ', apply),
    el('td', {}, el('span', { class: 'state' }), ' ', toggle),
    el('td', { class: 'counters' }),
    el('td', {}, el('div', { class: 'faults' }),
      el('div', { class: 'addfault' }, ftype, ' ', fkv, ' ', fadd)));
  row.mode = mode;
  row.addr = addr;
  row.toggle = toggle;
  return row;
}

function renderRelays(relays) {
  const tb = $('#relays tbody');
  const seen = new Set();
  for (const r of relays) {
    seen.add(r.name);
    let row = rows.get(r.name);
    if (!row) {
      row = relayRow(r);
      rows.set(r.name, row);
    }
    tb.append(row);
    row.enabled = r.enabled !== false;
    row.querySelector('.lt').textContent = r.listen + ' \u2192 ' + r.target;
    row.querySelector('.proto').textContent = r.protocol +
      (r.strict ? ' (strict)' : '');
    if (!row.dataset.dirty && !row.contains(document.activeElement)) {
      row.mode.value = r.source;
      row.addr.value = r.source_address || '';
    }
    const st = row.querySelector('.state');
    st.textContent = row.enabled ? 'enabled' : 'disabled';
    st.className = 'state ' + (row.enabled ? 'en' : 'dis');
    row.toggle.textContent = row.enabled ? 'disable' : 'enable';
    const s = r.stats || {};
    const c = row.querySelector('.counters');
    c.replaceChildren(...[['open', r.connections], ['accepted', s.accepted],
      ['allowed', s.allowed], ['denied', s.denied],
      ['connected', s.connected], ['failed', s.connect_failed],
      ['closed', s.closed], ['limited', s.limited]]
      .map(([k, v]) => el('span', {}, k + ' ', el('b', { class: 'num' }, v))),
      el('span', {}, 'c\u2192t ', el('b', {}, fmtBytes(s.bytes_from_client || 0))),
      el('span', {}, 't\u2192c ', el('b', {}, fmtBytes(s.bytes_from_target || 0))));
    const f = row.querySelector('.faults');
    f.replaceChildren(...(r.faults || []).map((x) => el('span',
      { class: 'fault', 'data-fault': x.id }, faultText(x),
      el('button', { type: 'button', title: 'remove', onclick: () =>
        change(r.name + ': fault ' + x.id + ' removed', 'DELETE',
          relayPath(r.name) + '/faults/' + encodeURIComponent(x.id)) },
      '\u00d7'))));
    if (!f.childElementCount)
      f.append(el('span', { class: 'fault none' }, 'none'));
  }
  for (const [name, row] of rows)
    if (!seen.has(name)) {
      row.remove();
      rows.delete(name);
    }
}

function inspText(c) {
  if (!c.inspector) return '';
  const s = c.inspector_state;
  if (s === null || s === undefined) return c.inspector;
  return c.inspector + ' ' + JSON.stringify(s);
}

function renderConns(conns) {
  const tb = $('#conns tbody');
  $('#nconns').textContent = '(' + conns.length + ')';
  if (!conns.length) {
    tb.replaceChildren(el('tr', {}, el('td', { colspan: 10, class: 'empty' },
      'no connections')));
    return;
  }
  tb.replaceChildren(...conns.map((c) => el('tr', { 'data-conn': c.id },
    el('td', { class: 'num' }, c.id), el('td', {}, c.relay),
    el('td', { class: 'addr' }, c.client),
    el('td', { class: 'addr' }, (c.target_local || '-') + ' \u2192 ' +
      (c.target || '-')),
    el('td', {}, c.source), el('td', { class: 'num' }, fmtSecs(c.age)),
    el('td', { class: 'num' }, fmtBytes(c.bytes_from_client) + ' / ' +
      fmtBytes(c.bytes_from_target)),
    el('td', {}, c.client_state + ' / ' + c.target_state),
    el('td', { class: 'insp' }, inspText(c)),
    el('td', {}, el('button', { type: 'button', title: 'DELETE: reset both ends',
      onclick: () => change('connection ' + c.id + ' reset', 'DELETE',
        '/v1/connections/' + c.id) }, 'reset')))));
}

function renderPinholes(list) {
  const tb = $('#pinholes tbody');
  $('#npinholes').textContent = '(' + list.length + ')';
  pinholesAt = performance.now();
  if (!list.length) {
    tb.replaceChildren(el('tr', {}, el('td', { colspan: 7, class: 'empty' },
      'no open pinholes')));
    return;
  }
  tb.replaceChildren(...list.map((p) => el('tr', {},
    el('td', {}, p.relay), el('td', {}, p.kind), el('td', {}, p['for']),
    el('td', { class: 'addr' }, p.listen + ' \u2192 ' + p.target),
    el('td', { class: 'addr' }, p.allow_from),
    el('td', {}, p.uses + ' (used ' + p.used + ')'),
    el('td', { class: 'num left', 'data-left': p.time_left },
      fmtLeft(p.time_left)))));
}

// Seconds left, as a number that parses back ("287 s", "12.5 s").
function fmtLeft(s) {
  return (s < 60 ? s.toFixed(1) : Math.floor(s)) + ' s';
}

// The countdown between refreshes.
function tick() {
  const gone = (performance.now() - pinholesAt) / 1000;
  for (const td of document.querySelectorAll('#pinholes td.left'))
    td.textContent = fmtLeft(Math.max(0, Number(td.dataset.left) - gone));
}

async function refresh() {
  clearTimeout(refreshTimer);
  refreshTimer = null;
  try {
    const [st, rl, cn, ph] = await Promise.all([api('GET', '/v1/status'),
      api('GET', '/v1/relays'), api('GET', '/v1/connections'),
      api('GET', '/v1/pinholes')]);
    $('#status').textContent = 'version ' + st.version + ', pid ' + st.pid +
      ', up ' + fmtSecs(st.uptime) + ', ' + st.relays + ' relays, ' +
      st.connections + ' connections' +
      (st.workers > 1 ? ' on ' + st.workers + ' workers' : '') +
      ', config ' + st.config +
      (st.stopping ? ', stopping' : '');
    renderRelays(rl.relays);
    renderConns(cn.connections);
    renderPinholes(ph.pinholes);
  } catch (e) {
    $('#status').textContent = 'cannot read the API: ' + e.message;
  }
}

// Soon, once: events come in bursts.
function refreshSoon() {
  if (refreshTimer === null)
    refreshTimer = setTimeout(refresh, 100);
}

const SKIP = new Set(['ts', 'event', 'level']);

function addEvent(id, ev) {
  const list = $('#events');
  const ts = (ev.ts || '').replace(/^.*T/, '').replace(/Z$/, '');
  const kv = Object.entries(ev).filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => k + '=' + (typeof v === 'object' ? JSON.stringify(v) : v));
  const li = el('li', { class: 'e-' + ev.event, 'data-id': id,
    'data-event': ev.event, 'data-conn': ev.conn === undefined ? '' : ev.conn },
    el('span', { class: 'ts' }, ts), el('span', { class: 'ev' }, ev.event),
    ' ', kv.join(' '));
  list.prepend(li);
  while (list.childElementCount > EVENTS_MAX)
    list.lastElementChild.remove();
}

function follow() {
  const es = new EventSource('/v1/events');
  const s = $('#stream');
  es.onopen = () => { s.textContent = 'events: live'; s.className = 'on'; };
  es.onerror = () => { s.textContent = 'events: reconnecting'; s.className = 'off'; };
  es.onmessage = (m) => {
    let ev;
    try { ev = JSON.parse(m.data); } catch (e) { return; }
    addEvent(m.lastEventId, ev);
    refreshSoon();
  };
  es.addEventListener('dropped', (m) => {
    const n = JSON.parse(m.data).dropped;
    addEvent('', { event: 'dropped', note: n + ' events not shown (the page read too slowly)' });
  });
}

document.addEventListener('DOMContentLoaded', () => {
  $('#reload').addEventListener('click', () =>
    change('reload', 'POST', '/v1/reload'));
  refresh();
  follow();
  setInterval(refresh, 2000);
  setInterval(tick, 1000);
});
