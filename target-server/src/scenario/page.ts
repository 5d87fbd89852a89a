import { KNOWN_ENDPOINTS, SCENARIO_DESCRIPTIONS, SCENARIO_NAMES, type ScenarioState } from './scenarios.ts';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] as string);
}

function describeState(state: ScenarioState): string {
  const rows: [string, unknown][] = [
    ['since', state.startedAt],
    ['ends', state.endsAt ?? 'when stopped'],
  ];
  if (state.endpoints) rows.push(['endpoints', state.endpoints.join(', ')]);
  if (state.errorRate !== undefined) rows.push(['error rate', `${Math.round(state.errorRate * 100)}%`]);
  if (state.latencyMs !== undefined) rows.push(['added latency', `${state.latencyMs} ms`]);
  if (state.multiplier !== undefined) rows.push(['traffic', `×${state.multiplier}`]);
  return rows.map(([key, value]) => `<dt>${escapeHtml(key)}</dt><dd>${escapeHtml(value)}</dd>`).join('');
}

/** The scenario control page. Everything reflected is escaped here and set with textContent in the script. */
export function renderControlPage(state: ScenarioState, nonce: string): string {
  const cards = SCENARIO_NAMES.filter((name) => name !== 'normal')
    .map(
      (name) => `
    <section class="card" data-scenario="${escapeHtml(name)}">
      <h2>${escapeHtml(name)}</h2>
      <p>${escapeHtml(SCENARIO_DESCRIPTIONS[name])}</p>
      ${name === 'focused-failure' || name === 'latency' ? `<fieldset><legend>endpoints${name === 'latency' ? ' (none = all)' : ''}</legend>${KNOWN_ENDPOINTS.map((e) => `<label><input type="checkbox" name="endpoints" value="${escapeHtml(e)}"${e === '/api/products' ? ' checked' : ''}> ${escapeHtml(e)}</label>`).join('')}</fieldset>` : ''}
      ${name === 'high-errors' || name === 'focused-failure' ? `<label>error rate <input type="number" name="errorRate" min="0" max="1" step="0.05" value="${name === 'high-errors' ? '0.3' : '0.85'}"></label>` : ''}
      ${name === 'latency' ? '<label>added latency (ms) <input type="number" name="latencyMs" min="1" max="30000" value="1200"></label>' : ''}
      ${name === 'spike' ? '<label>multiplier <input type="number" name="multiplier" min="1.1" max="20" step="0.5" value="3"></label>' : ''}
      <label>duration <input type="text" name="duration" placeholder="e.g. 5m (empty = until stopped)" size="24"></label>
      <button type="button" class="start">Start</button>
    </section>`,
    )
    .join('');

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>target-server · scenarios</title>
<style nonce="${nonce}">
  body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 980px; padding: 24px; color: #1d2330; background: #f6f7f9; }
  h1 { font-size: 22px; margin: 0 0 4px; }
  .muted { color: #5b6475; }
  .state { background: #fff; border: 1px solid #d9dde5; border-radius: 8px; padding: 16px; margin: 16px 0; display: flex; gap: 24px; align-items: center; flex-wrap: wrap; }
  .badge { font-weight: 600; font-size: 18px; padding: 4px 12px; border-radius: 999px; background: #e3f5e8; color: #17693a; }
  .badge.active { background: #fde8e6; color: #a02a1c; }
  dl { display: grid; grid-template-columns: auto auto; gap: 2px 12px; margin: 0; }
  dt { color: #5b6475; } dd { margin: 0; }
  .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(280px, 1fr)); gap: 12px; }
  .card { background: #fff; border: 1px solid #d9dde5; border-radius: 8px; padding: 12px 16px; display: flex; flex-direction: column; gap: 8px; }
  .card h2 { font-size: 16px; margin: 0; } .card p { margin: 0; color: #5b6475; }
  fieldset { border: 1px solid #e4e7ed; border-radius: 6px; display: flex; flex-wrap: wrap; gap: 4px 12px; }
  button { font: inherit; padding: 6px 14px; border-radius: 6px; border: 1px solid #2f5bd3; background: #2f5bd3; color: #fff; cursor: pointer; }
  button.stop { background: #fff; color: #a02a1c; border-color: #a02a1c; }
  #message { min-height: 1.5em; color: #a02a1c; }
</style>
</head>
<body>
<h1>target-server scenarios</h1>
<p class="muted">Injects failures into this demo API so logpulse has something to find. JSON API: <code>GET /scenario</code>, <code>POST /scenario {"name": …}</code>.</p>
<div class="state">
  <span id="name" class="badge${state.name === 'normal' ? '' : ' active'}">${escapeHtml(state.name)}</span>
  <dl id="details">${describeState(state)}</dl>
  <button type="button" class="stop" id="stop">Stop (back to normal)</button>
</div>
<p id="message" role="status"></p>
<div class="grid">${cards}
</div>
<script nonce="${nonce}">
const $ = (selector, root = document) => root.querySelector(selector);
function row(list, key, value) {
  const dt = document.createElement('dt'); dt.textContent = key;
  const dd = document.createElement('dd'); dd.textContent = value;
  list.append(dt, dd);
}
function show(state) {
  const badge = $('#name');
  badge.textContent = state.name;
  badge.classList.toggle('active', state.name !== 'normal');
  const details = $('#details');
  details.replaceChildren();
  row(details, 'since', state.startedAt);
  row(details, 'ends', state.endsAt ?? 'when stopped');
  if (state.endpoints) row(details, 'endpoints', state.endpoints.join(', '));
  if (state.errorRate !== undefined) row(details, 'error rate', Math.round(state.errorRate * 100) + '%');
  if (state.latencyMs !== undefined) row(details, 'added latency', state.latencyMs + ' ms');
  if (state.multiplier !== undefined) row(details, 'traffic', '×' + state.multiplier);
}
async function send(body) {
  const response = await fetch('/scenario', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const payload = await response.json();
  if (!response.ok) { $('#message').textContent = payload.error || ('HTTP ' + response.status); return; }
  $('#message').textContent = '';
  show(payload);
}
for (const card of document.querySelectorAll('[data-scenario]')) {
  $('.start', card).addEventListener('click', () => {
    const body = { name: card.dataset.scenario };
    const checked = [...card.querySelectorAll('input[name=endpoints]:checked')].map((input) => input.value);
    // Latency with no endpoint ticked means every endpoint; focused-failure needs at least one.
    if (checked.length > 0 || card.dataset.scenario === 'focused-failure') body.endpoints = checked;
    for (const field of ['errorRate', 'latencyMs', 'multiplier']) {
      const input = card.querySelector('input[name=' + field + ']');
      if (input && input.value !== '') body[field] = Number(input.value);
    }
    const duration = $('input[name=duration]', card).value.trim();
    if (duration) body.duration = duration;
    send(body).catch((error) => { $('#message').textContent = String(error); });
  });
}
$('#stop').addEventListener('click', () => send({ name: 'normal' }).catch((error) => { $('#message').textContent = String(error); }));
setInterval(() => {
  if (document.hidden) return;
  fetch('/scenario').then((r) => r.json()).then(show).catch(() => {});
}, 5000);
</script>
</body>
</html>
`;
}
