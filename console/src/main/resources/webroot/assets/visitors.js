// The visitor lookup: by visitor id, or by a partner id (its most recent visitor).
const $ = (selector) => document.querySelector(selector);
const row = (...cells) => {
  const tr = document.createElement('tr');
  tr.append(...cells.map((text) => Object.assign(document.createElement('td'), { textContent: text ?? '' })));
  return tr;
};

async function get(path) {
  const response = await fetch('/api/' + path);
  if (response.status === 401) location.href = '/login';
  return { status: response.status, body: await response.json() };
}

async function lookUp(event) {
  event?.preventDefault();
  const form = $('#lookup').elements;
  $('#message').textContent = '';
  let visitor = form.visitor.value.trim();
  if (!visitor && form.dataSource.value && form.partnerId.value) {
    const found = await get(`partners/${encodeURIComponent(form.dataSource.value.trim())}/${encodeURIComponent(form.partnerId.value.trim())}`);
    if (found.status !== 200) return fail(found.body.error);
    if (found.body.visitors.length === 0) return fail(`No visitor was synced with partner id ${found.body.partnerId}.`);
    visitor = found.body.visitors[found.body.visitors.length - 1];
    form.visitor.value = visitor;
  }
  if (!visitor) return fail('Give a visitor id, or a data source and a partner id.');
  history.replaceState(null, '', '?visitor=' + encodeURIComponent(visitor));
  const answer = await get('visitors/' + encodeURIComponent(visitor));
  if (answer.status !== 200) return fail(answer.body.error);
  show(answer.body);
}

function fail(message) {
  $('#message').textContent = message;
  $('#visitor').hidden = true;
}

function show(visitor) {
  $('#visitor-title').textContent = `Visitor ${visitor.visitorId}` + (visitor.optedOut ? ' (opted out)' : '');
  $('#partner-ids').textContent = visitor.partnerIds.length
    ? 'Partner ids: ' + visitor.partnerIds.map((id) => `${id.id} (data source ${id.dataSource})`).join(', ')
    : 'No partner ids.';
  $('#segments tbody').replaceChildren(...visitor.segments.map((segment) => row(String(segment.id), segment.name, segment.rule)));
  $('#traits tbody').replaceChildren(...visitor.traits.map((trait) => row(
    String(trait.id), trait.name, trait.rule, trait.realizedAt.join(', '), trait.inForce ? 'yes' : 'expired')));
  $('#deliveries tbody').replaceChildren(...visitor.deliveries.map((attempt) => {
    const tr = row(attempt.time, `${attempt.destinationName} (${attempt.destination})`, attempt.channel,
      String(attempt.attempt), attempt.outcome + (attempt.httpStatus ? ' HTTP ' + attempt.httpStatus : ''),
      attempt.latencyMs + ' ms', attempt.idempotencyKey, attempt.detail);
    tr.className = 'outcome-' + attempt.outcome.toLowerCase();
    return tr;
  }));
  $('#visitor').hidden = false;
}

$('#lookup').addEventListener('submit', lookUp);
const asked = new URLSearchParams(location.search).get('visitor');
if (asked) {
  $('#lookup').elements.visitor.value = asked;
  lookUp();
}
