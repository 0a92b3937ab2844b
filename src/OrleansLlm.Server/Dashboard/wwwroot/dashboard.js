// The dashboard: polls GET /api/cluster and redraws. With OLLM_API_KEY set, the page asks for the
// key once, keeps it in this tab's sessionStorage and sends it as a Bearer header on each fetch
// (README "Dashboard": why not a cookie or a query parameter).
'use strict';

const pollInterval = 1500;
const keyStorage = 'ollm-api-key';
let key = sessionStorage.getItem(keyStorage);
let keyRejected = false;

const $ = id => document.getElementById(id);

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'text') node.textContent = value;
    else node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

function bytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (Math.abs(n) >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? n : n.toFixed(1)) + ' ' + units[i];
}

function duration(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  return (h > 0 ? h + ' h ' : '') + (h > 0 || m > 0 ? m + ' min ' : '') + r + ' s';
}

// The server's clock, not the browser's: countdowns stay right on a machine whose clock is off.
let serverOffset = 0;
const serverNow = () => Date.now() + serverOffset;

function stateText(model) {
  switch (model.state) {
    case 'loading': return 'loading';
    case 'busy': return 'busy, ' + model.requests + (model.requests === 1 ? ' request' : ' requests');
    case 'draining': return 'draining for a waiting load, ' + model.requests + (model.requests === 1 ? ' request' : ' requests') + ' to finish';
    case 'pinned': return 'pinned (kept alive forever)';
    case 'idle': return model.expires_at
      ? 'idle, unloads in ' + duration(Date.parse(model.expires_at) - serverNow())
      : 'idle';
    default: return model.state;
  }
}

function deviceLabel(device) {
  const what = device.library === 'cpu' ? 'System memory' : 'GPU ' + device.id + (device.name ? ' · ' + device.name : '');
  return what + ': ' + bytes(device.reserved) + ' reserved of ' + bytes(device.total) + ', ' + bytes(device.free) + ' free';
}

function renderDevice(device, modelsByName) {
  const total = Math.max(device.total, 1);
  const parts = device.parts.map(part => {
    const model = modelsByName.get(part.model) || { state: part.state, requests: 0 };
    const text = part.model + ' · ' + bytes(part.bytes) + ' · ' + stateText(model);
    const node = el('div', {
      class: 'part state-' + part.state,
      'data-model': part.model,
      'data-state': part.state,
      title: text,
    }, el('span', { text }));
    // Through the CSSOM, which the page's Content-Security-Policy allows (style attributes it does not).
    node.style.width = (100 * part.bytes / total).toFixed(3) + '%';
    return node;
  });
  const unreserved = Math.max(0, device.total - device.reserved);
  const summary = device.parts.length === 0
    ? 'no model; ' + bytes(unreserved) + ' unreserved'
    : device.parts.map(p => p.model + ' ' + bytes(p.bytes) + ' (' + stateText(modelsByName.get(p.model) || p) + ')').join('; ') + '; ' + bytes(unreserved) + ' unreserved';
  return el('div', { class: 'device', 'data-device': device.id },
    el('div', { class: 'device-label', text: deviceLabel(device) }),
    el('div', { class: 'bar', role: 'img', 'aria-label': deviceLabel(device) + '. ' + summary }, parts));
}

function table(caption, headers, rows) {
  return el('table', {},
    caption ? el('caption', { class: 'visually-hidden', text: caption }) : null,
    el('thead', {}, el('tr', {}, headers.map(h => el('th', { scope: 'col', text: h })))),
    el('tbody', {}, rows.map(cells => el('tr', {}, cells.map(c => el('td', { text: c }))))));
}

function renderSilo(silo) {
  const modelsByName = new Map(silo.models.map(m => [m.name, m]));
  const badges = [];
  if (silo.draining) badges.push(el('span', { class: 'badge', text: 'draining' }));
  if (!silo.takes_models) badges.push(el('span', { class: 'badge', text: 'control silo: holds no model' }));
  const devices = silo.devices.filter(d => d.library !== 'cpu' || d.parts.length > 0 || silo.devices.length === 1);
  return el('article', { class: 'silo', 'data-silo': silo.address, 'aria-label': 'Silo ' + silo.address },
    el('h3', {}, 'Silo ' + silo.address, badges),
    devices.map(d => renderDevice(d, modelsByName)),
    silo.models.length === 0
      ? el('p', { class: 'empty', text: 'No model loaded.' })
      : table('Models on silo ' + silo.address, ['Model', 'State', 'GPU memory', 'System memory', 'Keep-alive'],
          silo.models.map(m => [m.name, stateText(m), bytes(m.vram), bytes(m.ram), m.keep_alive])));
}

function renderUnreachable(address) {
  return el('article', { class: 'silo unreachable', 'data-silo': address, 'data-unreachable': 'true', 'aria-label': 'Silo ' + address + ', unreachable' },
    el('h3', {}, 'Silo ' + address, el('span', { class: 'badge', text: 'unreachable' })),
    el('p', { text: 'This silo did not answer within 2 s. It may have been stopped or lost; membership removes it once declared dead.' }));
}

function sparkline(label, values, summary, unit) {
  const width = 300, height = 48;
  const max = Math.max(...values.map(v => v ?? 0), 0);
  const step = width / Math.max(values.length - 1, 1);
  const y = v => height - 3 - (max === 0 ? 0 : v / max * (height - 6));
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('width', width);
  svg.setAttribute('height', height);
  svg.setAttribute('aria-hidden', 'true');
  // A bucket without a value (no token in it) is left out, not drawn as zero; each value gets a dot,
  // so a lone one shows too.
  const points = values.map((v, i) => v == null ? null : [i * step, y(v), v]).filter(p => p !== null);
  const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
  line.setAttribute('points', points.map(p => p[0].toFixed(1) + ',' + p[1].toFixed(1)).join(' '));
  svg.append(line);
  for (const [x, py] of points.filter(p => p[2] !== 0)) {
    const dot = document.createElementNS('http://www.w3.org/2000/svg', 'circle');
    dot.setAttribute('cx', x.toFixed(1));
    dot.setAttribute('cy', py.toFixed(1));
    dot.setAttribute('r', '2.5');
    svg.append(dot);
  }
  const peak = max === 0 ? '' : ' (peak ' + max.toFixed(2) + ' ' + unit + ')';
  return el('figure', { class: 'sparkline' }, svg, el('figcaption', {}, el('p', { text: label + ': ' + summary + peak })));
}

function renderTraffic(activity) {
  const buckets = activity.buckets;
  const seconds = activity.bucket_seconds;
  const lastMinute = buckets.slice(-Math.round(60 / seconds));
  const requests = lastMinute.reduce((s, b) => s + b.requests, 0);
  const failed = lastMinute.reduce((s, b) => s + b.failed, 0);
  const ttfts = lastMinute.filter(b => b.ttft_mean_seconds != null);
  const ttft = ttfts.length === 0 ? null : ttfts.reduce((s, b) => s + b.ttft_mean_seconds, 0) / ttfts.length;
  $('traffic').replaceChildren(
    sparkline('Request rate', buckets.map(b => b.requests / seconds),
      requests + ' requests in the last minute (' + (requests / 60).toFixed(2) + ' per second), ' + failed + ' failed', 'per second'),
    sparkline('Time to first token', buckets.map(b => b.ttft_mean_seconds),
      ttft === null ? 'no token in the last minute' : 'mean ' + ttft.toFixed(3) + ' s over the last minute', 's'));
}

function time(at) {
  return new Date(at).toLocaleTimeString();
}

function render(cluster) {
  serverOffset = Date.parse(cluster.now) - Date.now();
  $('silos').replaceChildren(
    ...cluster.silos.map(renderSilo),
    ...cluster.unreachable.map(renderUnreachable),
    ...(cluster.membership_reachable ? [] : [el('p', { class: 'empty', text: 'The cluster\'s membership did not answer; trying again.' })]));

  const waiting = cluster.silos.flatMap(s => s.waiting.map(w => [w.model, s.address, 'waiting for ' + duration(serverNow() - Date.parse(w.since)), String(w.requests), w.reason]));
  $('waiting').replaceChildren(waiting.length === 0
    ? el('p', { class: 'empty', text: 'No load is waiting for room.' })
    : table('Loads waiting for room', ['Model', 'Silo', 'Since', 'Requests waiting', 'Why'], waiting));

  const events = cluster.silos.flatMap(s => s.recent.map(e => ({ ...e, silo: s.address })))
    .sort((a, b) => Date.parse(b.at) - Date.parse(a.at)).slice(0, 30);
  $('events').replaceChildren(events.length === 0
    ? el('p', { class: 'empty', text: 'Nothing loaded or unloaded yet.' })
    : table('Recent events', ['Time', 'Silo', 'What', 'Model', 'Detail'], events.map(e => [time(e.at), e.silo, e.kind, e.model, e.detail])));

  const scaling = cluster.autoscaler;
  $('scaling').replaceChildren(
    el('p', { text: 'Mode: ' + scaling.mode + (scaling.note ? '. ' + scaling.note : '') }),
    scaling.decisions.length === 0
      ? el('p', { class: 'empty', text: 'No scaling decision yet.' })
      : table('Autoscaler decisions', ['Time', 'Action', 'Host', 'Carried out', 'Why'],
          scaling.decisions.map(d => [time(d.at), d.action, d.host, d.carried ? 'yes' : 'no (advisory)', d.reason])));

  renderTraffic(cluster.activity);
  const unreachable = cluster.unreachable.length;
  setStatus('Updated ' + new Date().toLocaleTimeString() + ': ' + cluster.silos.length + (cluster.silos.length === 1 ? ' silo' : ' silos') + ' answering' +
    (unreachable > 0 ? ', ' + unreachable + ' unreachable' : ''), unreachable > 0);
}

function setStatus(text, problem) {
  $('status').textContent = text;
  $('status').classList.toggle('problem', !!problem);
  // Announced to screen readers once per new problem, not at every poll.
  const alert = problem ? text.replace(/^Updated [^:]*: /, '') : '';
  if ($('problem').textContent !== alert) $('problem').textContent = alert;
}

function askForKey(message) {
  $('cluster').hidden = true;
  // Whatever the page showed before belongs to whoever held the key: clear it.
  for (const id of ['silos', 'waiting', 'traffic', 'events', 'scaling']) $(id).replaceChildren();
  $('key-form').hidden = false;
  $('key-error').textContent = message || '';
  setStatus('An API key is needed to show the cluster.', true);
}

async function poll() {
  try {
    const response = await fetch('/api/cluster', {
      headers: key ? { Authorization: 'Bearer ' + key } : {},
      cache: 'no-store',
    });
    if (response.status === 401) {
      keyRejected = key !== null;
      key = null;
      sessionStorage.removeItem(keyStorage);
      askForKey(keyRejected ? 'That key was not accepted.' : '');
      return; // no polling without a key: the form starts it again
    }
    if (!response.ok) {
      setStatus('The server answered ' + response.status + '; trying again.', true);
    } else {
      $('key-form').hidden = true;
      $('cluster').hidden = false;
      render(await response.json());
    }
  } catch (error) {
    setStatus('The server did not answer (' + error.message + '); trying again.', true);
  }
  setTimeout(poll, pollInterval);
}

$('key-form').addEventListener('submit', event => {
  event.preventDefault();
  key = $('key').value.trim();
  $('key').value = '';
  sessionStorage.setItem(keyStorage, key);
  poll();
});

poll();
