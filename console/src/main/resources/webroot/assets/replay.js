// Replay runs: each run's state and totals; a run's summary per segment and sample differences.
const $ = (selector) => document.querySelector(selector);
const row = (...cells) => {
  const tr = document.createElement('tr');
  tr.append(...cells.map((text) => Object.assign(document.createElement('td'), { textContent: text ?? '' })));
  return tr;
};
const total = (run, field) => run.summary.reduce((sum, segment) => sum + segment[field], 0);
const segmentName = (segment) => `${segment.name || 'segment'} (${segment.segment})`;

async function get(path) {
  const response = await fetch('/api/' + path);
  if (response.status === 401) location.href = '/login';
  return { status: response.status, body: await response.json() };
}

async function list() {
  const runs = await get('replay/runs');
  $('#none').hidden = runs.body.length > 0;
  $('#runs tbody').replaceChildren(...runs.body.map((run) => {
    const tr = row(run.run, run.state, run.createdAt, `${run.from} to ${run.to || 'the end of the log'}`,
      `${run.taxonomy} (revision ${run.taxonomyRevision})`, String(run.eventsRead), String(run.visitorsCompared),
      String(total(run, 'joins')), String(total(run, 'leaves')), run.appliedAt ? `${run.appliedAt} (${run.corrections} corrections)` : '');
    tr.dataset.run = run.run;
    tr.addEventListener('click', () => show(run.run));
    return tr;
  }));
  const asked = new URLSearchParams(location.search).get('run');
  if (asked) show(asked);
}

async function show(id) {
  history.replaceState(null, '', '?run=' + encodeURIComponent(id));
  const answer = await get('replay/runs/' + encodeURIComponent(id));
  if (answer.status !== 200) return;
  const run = answer.body;
  $('#run-title').textContent = `Run ${run.run}: ${run.state}`;
  $('#run-detail').textContent = (run.detail || '') + ` ${run.differences} visitors differ from live membership.`;
  $('#summary tbody').replaceChildren(...run.summary.map((segment) =>
    row(segmentName(segment), String(segment.joins), String(segment.leaves), String(segment.stays))));
  $('#samples-title').textContent = `Sample visitors (${run.samples.length} of ${run.differences})`;
  $('#samples tbody').replaceChildren(...run.samples.map((sample) =>
    row(sample.visitorId, sample.joined.join(', '), sample.left.join(', '), sample.segments.join(', '))));
  $('#run').hidden = false;
}

list();
