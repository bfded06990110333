// The dead letters page: letters from the dead-letter topic, newest first; the chosen ones sent
// again through partner sync, each row then saying what became of it.
const $ = (selector) => document.querySelector(selector);
const cell = (text) => Object.assign(document.createElement('td'), { textContent: text });

async function load(event) {
  if (event) event.preventDefault();
  const destination = $('#filter').elements.destination.value;
  const response = await fetch('/api/deadletters' + (destination ? `?destination=${encodeURIComponent(destination)}` : ''));
  if (response.status === 401) {
    location.href = '/login';
    return;
  }
  const answer = await response.json();
  if (!response.ok) {
    $('#count').textContent = answer.error;
    return;
  }
  $('#count').textContent = `${answer.total} dead letter${answer.total === 1 ? '' : 's'}` + (answer.undecodable ? `, ${answer.undecodable} unreadable` : '');
  $('#none').hidden = answer.letters.length > 0;
  $('#letters tbody').replaceChildren(...answer.letters.map((letter) => {
    const tr = document.createElement('tr');
    tr.dataset.position = letter.position;
    const choose = Object.assign(document.createElement('input'), { type: 'checkbox', value: letter.position });
    choose.addEventListener('change', chosenChanged);
    const box = cell('');
    box.append(choose);
    tr.append(box, cell(letter.position), cell(String(letter.destinationId)), cell(new Date(letter.lastAttempt).toLocaleString()),
      cell(String(letter.attempts)), cell(String(letter.users)), cell(letter.reason), cell(letter.idempotencyKey),
      Object.assign(cell(''), { className: 'outcome' }));
    return tr;
  }));
  chosenChanged();
}

function chosen() {
  return [...document.querySelectorAll('#letters tbody input:checked')].map((input) => input.value);
}

function chosenChanged() {
  $('#resend').disabled = chosen().length === 0;
}

async function resend() {
  const letters = chosen();
  $('#resend').disabled = true;
  const response = await fetch('/api/deadletters/resend', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ letters }),
  });
  const answer = await response.json();
  if (!response.ok) {
    $('#count').textContent = answer.error;
    chosenChanged();
    return;
  }
  for (const result of answer) {
    const row = document.querySelector(`#letters tbody tr[data-position="${result.position}"]`);
    if (!row) continue;
    const outcome = row.querySelector('.outcome');
    outcome.textContent = result.outcome + (result.detail ? ': ' + result.detail : '');
    outcome.className = 'outcome outcome-' + result.outcome.toLowerCase();
    row.querySelector('input').checked = false;
  }
  chosenChanged();
}

// A link may name the destination: /deadletters?destination=9001.
$('#filter').elements.destination.value = new URLSearchParams(location.search).get('destination') || '';
$('#filter').addEventListener('submit', load);
$('#resend').addEventListener('click', resend);
load();
