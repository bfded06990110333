// The taxonomy page: folders, traits and segments from the taxonomy API, and a form that edits
// one item through it, showing the validator's problems beside the fields they concern.
const api = async (method, path, body) => {
  const response = await fetch('/api/' + path, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) location.href = '/login';
  const text = await response.text();
  return { status: response.status, revision: (response.headers.get('ETag') || '').replaceAll('"', ''), body: text ? JSON.parse(text) : null };
};

const FIELDS = {
  traits: [['name', 'text'], ['folder', 'text'], ['dataSource', 'number'], ['type', ['rule', 'onboarded']], ['rule', 'rule'], ['ttlDays', 'number']],
  segments: [['name', 'text'], ['folder', 'text'], ['rule', 'rule']],
  datasources: [['json', 'json']],
  destinations: [['json', 'json']],
};
const NOUN = { traits: 'trait', segments: 'segment', datasources: 'data source', destinations: 'destination' };

let taxonomy = { traits: [], segments: [], dataSources: [], destinations: [] };
let folder = null; // null: everything
let editing = null; // { kind, id }
let members = { traits: {}, segments: {} }; // id -> members now, from the populations API
let every = 'hourly';
let plot = null;

const $ = (selector) => document.querySelector(selector);
const element = (tag, { dataset = {}, ...properties } = {}, ...children) => {
  const made = Object.assign(document.createElement(tag), properties);
  Object.assign(made.dataset, dataset);
  made.append(...children);
  return made;
};
const traitsOf = (rule) => [...(rule || '').matchAll(/(\d+)T\b/g)].map((match) => Number(match[1]));
const inFolder = (item) => folder === null || item.folder === folder || (item.folder || '').startsWith(folder + '/');

async function load() {
  const [file, folders, populations] = await Promise.all([api('GET', 'taxonomy'), api('GET', 'folders'), api('GET', 'populations')]);
  taxonomy = file.body;
  members = populations.body;
  $('#revision').textContent = 'revision ' + file.revision;
  const tree = $('#folders');
  tree.replaceChildren(
    element('li', { className: folder === null ? 'selected' : '', onclick: () => choose(null) }, 'Everything'),
    ...folders.body.map((entry) => element('li', {
      className: entry.id === folder ? 'selected' : '',
      style: `padding-left: ${entry.id.split('/').length - 1}rem`,
      onclick: () => choose(entry.id),
      dataset: { folder: entry.id },
    }, entry.name)));
  for (const [list, kind, items] of [['#datasources', 'datasources', taxonomy.dataSources], ['#destinations', 'destinations', taxonomy.destinations]]) {
    $(list).replaceChildren(...items.map((item) => element('li', { onclick: () => edit(kind, item) }, `${item.name} (${item.id})`)));
  }
  render();
}

function choose(path) {
  folder = path;
  load();
}

function render() {
  $('#place').textContent = folder === null ? 'Everything' : folder;
  const usedBy = new Map();
  for (const segment of taxonomy.segments) {
    for (const trait of traitsOf(segment.rule)) usedBy.set(trait, [...(usedBy.get(trait) || []), segment]);
  }
  $('#traits tbody').replaceChildren(...taxonomy.traits.filter(inFolder).map((trait) => element('tr',
    { onclick: () => edit('traits', trait), dataset: { id: trait.id } },
    element('td', {}, String(trait.id)),
    element('td', {}, trait.name),
    element('td', {}, trait.rule ? element('code', {}, trait.rule) : trait.type),
    element('td', {}, (usedBy.get(trait.id) || []).map((segment) => `${segment.name} (${segment.id})`).join(', ')),
    element('td', { className: 'population' }, String(members.traits[trait.id] ?? 0)))));
  $('#segments tbody').replaceChildren(...taxonomy.segments.filter(inFolder).map((segment) => element('tr',
    { onclick: () => edit('segments', segment), dataset: { id: segment.id } },
    element('td', {}, String(segment.id)),
    element('td', {}, segment.name),
    element('td', {}, element('code', {}, segment.rule)),
    element('td', { className: 'population' }, String(members.segments[segment.id] ?? 0)))));
}

// Members at the end of each hour or day (a line), joins and leaves in it (bars).
async function showPopulation() {
  const figure = $('#population');
  const { kind, id } = editing || {};
  if (!(kind === 'traits' || kind === 'segments') || id === null) {
    figure.hidden = true;
    return;
  }
  const answer = await api('GET', `populations/${kind}/${id}`);
  figure.hidden = false;
  for (const button of figure.querySelectorAll('button')) button.classList.toggle('chosen', button.dataset.every === every);
  if (plot) plot.destroy();
  plot = null;
  if (answer.status === 404) {
    $('#population-members').textContent = 'No members counted yet.';
    return;
  }
  $('#population-members').textContent = `${answer.body.members} member${answer.body.members === 1 ? '' : 's'} now`;
  const buckets = answer.body[every];
  const step = every === 'hourly' ? 3600 : 86400;
  const data = [
    buckets.map((bucket) => Date.parse(bucket.start) / 1000),
    buckets.map((bucket) => bucket.members),
    buckets.map((bucket) => bucket.joins),
    buckets.map((bucket) => bucket.leaves),
  ];
  const bars = (stroke, fill) => ({ stroke, fill, points: { show: false }, paths: uPlot.paths.bars({ size: [0.4, 30] }), scale: 'changes' });
  plot = new uPlot({
    width: 380,
    height: 200,
    // One bucket alone would stretch over years: show it with an hour or a day either side.
    scales: { x: { time: true, range: (u, min, max) => (min === max ? [min - step, max + step] : [min, max]) }, changes: { auto: true } },
    axes: [{}, { label: 'members' }, { scale: 'changes', side: 1, grid: { show: false } }],
    series: [{}, { label: 'members', stroke: '#2456c7', width: 2 }, { label: 'joins', ...bars('#1e7b34', 'rgba(30, 123, 52, 0.4)') }, { label: 'leaves', ...bars('#b3261e', 'rgba(179, 38, 30, 0.4)') }],
  }, data, $('#population-chart'));
}

function edit(kind, item) {
  editing = { kind, id: item ? item.id : null };
  $('#editor-title').textContent = item ? `${NOUN[kind]} ${item.id}` : `New ${NOUN[kind]}`;
  $('#editor-saved').hidden = true;
  $('#delete').hidden = !item;
  const values = item || (kind === 'traits' ? { type: 'rule', dataSource: taxonomy.dataSources[0]?.id, folder } : { folder });
  $('#editor-fields').replaceChildren(...FIELDS[kind].flatMap(([field, type]) => {
    let input;
    if (Array.isArray(type)) {
      input = element('select', {}, ...type.map((option) => element('option', { value: option, selected: values[field] === option }, option)));
    } else if (type === 'rule' || type === 'json') {
      input = element('textarea', { value: type === 'json' ? JSON.stringify(item || {}, null, 2) : values[field] || '' });
    } else {
      input = element('input', { type, value: values[field] ?? '' });
    }
    input.name = field;
    return [element('label', {}, field, input), element('p', { className: 'problem', dataset: { field } })];
  }));
  showProblems([]);
  $('#editor').hidden = false;
  showPopulation();
}

function itemOfForm() {
  const form = $('#editor');
  if (form.elements.json) return JSON.parse(form.elements.json.value);
  const item = editing.id === null ? {} : { id: editing.id };
  for (const [field, type] of FIELDS[editing.kind]) {
    const value = form.elements[field].value;
    if (value === '' && field !== 'name') continue;
    item[field] = type === 'number' ? Number(value) : value;
  }
  if (item.type === 'onboarded') delete item.rule;
  return item;
}

function showProblems(problems) {
  for (const spot of document.querySelectorAll('#editor .problem')) spot.textContent = '';
  for (const input of document.querySelectorAll('#editor .invalid')) input.classList.remove('invalid');
  for (const problem of problems) {
    const field = problem.field === undefined ? null : problem.field.split('.')[0];
    const spot = field === null ? null : document.querySelector(`#editor .problem[data-field="${field}"]`);
    const text = field === null ? `${problem.path}: ${problem.message}` : problem.message;
    const target = spot || document.querySelector('#editor .problem[data-field=""]');
    target.textContent = target.textContent ? target.textContent + ' ' + text : text;
    if (spot) $('#editor').elements[field]?.classList.add('invalid');
  }
}

async function save(event) {
  event.preventDefault();
  let item;
  try {
    item = itemOfForm();
  } catch (error) {
    showProblems([{ path: '$', message: 'not JSON: ' + error.message }]);
    return;
  }
  const { kind, id } = editing;
  const answer = id === null ? await api('POST', kind, item) : await api('PUT', `${kind}/${id}`, item);
  if (answer.status >= 400) {
    showProblems(answer.body.problems || [{ path: '$', message: answer.body.error }]);
    return;
  }
  editing.id = answer.body.id;
  showProblems([]);
  $('#editor-saved').textContent = `Saved as revision ${answer.revision}.`;
  $('#editor-saved').hidden = false;
  await load();
}

async function remove() {
  const answer = await api('DELETE', `${editing.kind}/${editing.id}`);
  if (answer.status >= 400) {
    showProblems(answer.body.problems || [{ path: '$', message: answer.body.error }]);
    return;
  }
  $('#editor').hidden = true;
  await load();
}

// Populations change all the time: their cells follow without redrawing the page.
async function refreshPopulations() {
  const answer = await api('GET', 'populations');
  members = answer.body;
  for (const [kind, table] of [['traits', '#traits'], ['segments', '#segments']]) {
    for (const row of document.querySelectorAll(`${table} tbody tr`)) {
      row.querySelector('td.population').textContent = String(members[kind][row.dataset.id] ?? 0);
    }
  }
}

$('#editor').addEventListener('submit', save);
$('#delete').addEventListener('click', remove);
$('#close').addEventListener('click', () => { $('#editor').hidden = true; });
$('#new-trait').addEventListener('click', () => edit('traits', null));
$('#new-segment').addEventListener('click', () => edit('segments', null));
for (const button of document.querySelectorAll('#population button')) {
  button.addEventListener('click', () => { every = button.dataset.every; showPopulation(); });
}
load();
setInterval(refreshPopulations, 5000);
