// The destinations page: each destination's state, lag, throughput and delivery latency, as
// partner sync's instances report them, refreshed every two seconds.
const EVERY_MS = 2000;
const previous = new Map(); // destination id -> { delivered, at }
const charts = new Map(); // destination id -> uPlot

const cell = (text, className = '') => Object.assign(document.createElement('td'), { textContent: text, className });
const ms = (value) => (value >= 100 ? value.toFixed(0) : value.toFixed(1)) + ' ms';

async function refresh() {
  const response = await fetch('/api/status/destinations');
  if (response.status === 401) {
    location.href = '/login';
    return;
  }
  const statuses = await response.json();
  const now = Date.now();
  document.getElementById('none').hidden = statuses.length > 0;
  // A destination with a failure to tell is two rows: its figures, then the failure.
  document.querySelector('#destinations tbody').replaceChildren(...statuses.flatMap((status) => row(status, now)));
  statuses.filter((status) => status.latency && status.latency.buckets.length > 0).forEach(chart);
  files(statuses.filter((status) => status.files && status.files.length > 0));
  document.getElementById('updated').textContent = 'updated ' + new Date(now).toLocaleTimeString();
}

function row(status, now) {
  const tr = document.createElement('tr');
  if (status.error) {
    tr.append(cell(''), cell(status.instance), cell(''), cell('UNKNOWN', 'state-failed'), cell(status.error));
    return tr;
  }
  tr.dataset.id = status.id;
  const before = previous.get(status.id);
  const rate = before && now > before.at ? ((status.delivered - before.delivered) * 1000) / (now - before.at) : null;
  previous.set(status.id, { delivered: status.delivered, at: now });
  const state = cell(status.state, 'state-' + status.state.toLowerCase());
  state.classList.add('state');
  if (status.detail) state.title = status.detail;
  tr.append(
    cell(String(status.id)), cell(status.name), cell(status.type), state,
    cell(String(status.lag ?? '')), cell(rate === null ? '…' : rate.toFixed(1)),
    cell(String(status.delivered ?? '')), cell(String(status.retried ?? '')),
    cell(String(status.deadLettered ?? '')), cell(String(status.noPartnerId ?? '')),
    cell(status.latency && status.latency.count ? `${ms(status.latency.meanMs)} mean, ${ms(status.latency.maxMs)} max` : ''));
  if (status.detail) {
    const detail = document.createElement('tr');
    detail.className = 'detail';
    const td = cell(status.detail);
    td.colSpan = 11;
    detail.append(td);
    return [tr, detail];
  }
  return tr;
}

function chart(status) {
  const labels = status.latency.buckets.map(([upper]) => '≤' + ms(upper));
  const data = [status.latency.buckets.map((_, index) => index), status.latency.buckets.map(([, count]) => count)];
  let plot = charts.get(status.id);
  if (plot && plot.data[0].length === data[0].length) {
    plot.setData(data);
    return;
  }
  let holder = document.querySelector(`#charts figure[data-id="${status.id}"]`);
  if (plot) plot.destroy();
  if (!holder) {
    holder = document.createElement('figure');
    holder.dataset.id = status.id;
    holder.append(Object.assign(document.createElement('figcaption'), { textContent: `${status.name} (${status.id})` }));
    document.getElementById('charts').append(holder);
  }
  const buckets = data[0].length;
  plot = new uPlot({
    width: 520,
    height: 180,
    legend: { show: false },
    scales: { x: { time: false, range: () => [-0.5, buckets - 0.5] } },
    axes: [{ values: (u, splits) => splits.map((split) => labels[split] ?? '') }, { label: 'deliveries' }],
    series: [{}, { label: 'deliveries', points: { show: false }, fill: 'rgba(36, 86, 199, 0.35)', stroke: '#2456c7', paths: uPlot.paths.bars({ size: [0.8, 40] }) }],
  }, data, holder);
  charts.set(status.id, plot);
}

// Each batch destination's latest files: lines, bytes, upload, and the control file (.info) itself,
// opened with a click. An open one stays open across refreshes.
function files(batches) {
  document.getElementById('no-files').hidden = batches.length > 0;
  const open = new Set([...document.querySelectorAll('#files details[open]')].map((details) => details.dataset.name));
  document.getElementById('files').replaceChildren(...batches.map((status) => {
    const table = document.createElement('table');
    table.dataset.id = status.id;
    table.innerHTML = '<caption></caption><thead><tr><th>Control file</th><th>Published</th><th>Lines</th><th>Bytes</th><th>Upload</th></tr></thead><tbody></tbody>';
    table.querySelector('caption').textContent = `${status.name} (${status.id})`;
    table.querySelector('tbody').replaceChildren(...status.files.map((file) => {
      const tr = document.createElement('tr');
      tr.dataset.name = file.name;
      const details = document.createElement('details');
      details.dataset.name = file.name;
      details.open = open.has(file.name);
      details.append(Object.assign(document.createElement('summary'), { textContent: file.name }),
        Object.assign(document.createElement('pre'), { textContent: file.error || JSON.stringify(file.info, null, 2) }));
      const name = cell('');
      name.append(details);
      tr.append(name, cell(file.publishedAt ? new Date(file.publishedAt).toLocaleString() : ''),
        cell(String(file.lines ?? '')), cell(String(file.bytes ?? '')), cell(file.upload));
      return tr;
    }));
    return table;
  }));
}

refresh();
setInterval(refresh, EVERY_MS);
