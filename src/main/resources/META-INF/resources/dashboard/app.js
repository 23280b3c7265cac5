// The Lifeboat dashboard: sign-in, overview, per-target page, jobs. Plain ES modules over the REST API.
import { api, ApiError, token } from './api.js';
import { ago, bytes, h, seconds, shortId, swap, time, when } from './dom.js';
import { timeChart } from './charts.js';

const main = document.getElementById('main');
const errorBox = document.getElementById('error');
const notice = document.getElementById('notice');
const STATUS_TEXT = { green: 'Healthy', amber: 'Attention', red: 'Failing' };

let me = null; // {token, role, may}
let timers = [];
let renderId = 0;

const may = (action) => me != null && me.may.includes(action);

// ---- theme ----

const themeButton = document.getElementById('theme');

function applyTheme(theme) {
  document.documentElement.dataset.theme = theme;
  themeButton.setAttribute('aria-pressed', String(theme === 'dark'));
  themeButton.textContent = theme === 'dark' ? 'Light theme' : 'Dark theme';
}

applyTheme(localStorage.getItem('lifeboat.theme')
  || (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'));
themeButton.addEventListener('click', () => {
  const next = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
  localStorage.setItem('lifeboat.theme', next);
  applyTheme(next);
  route(); // charts take their colours from the theme
});

// ---- messages ----

function showProblem(e, from = 'action') {
  const detail = e instanceof ApiError ? e.message : 'Something went wrong in the dashboard: ' + (e && e.message ? e.message : e);
  errorBox.replaceChildren(h('strong', {}, e && e.status ? `Error ${e.status}: ` : 'Error: '), detail);
  errorBox.hidden = false;
  errorBox.dataset.from = from; // a refresh that works again clears only its own problem, never an action's
  if (e && e.status === 401) signOut('Your token is no longer accepted: ' + detail);
}

function clearProblem() {
  errorBox.hidden = true;
  errorBox.replaceChildren();
}

function say(...parts) {
  notice.replaceChildren(...parts);
}

// ---- sign-in ----

function signOut(message) {
  token.clear();
  me = null;
  renderSignIn(message);
}

document.getElementById('signout').addEventListener('click', () => signOut());

function renderSignIn(message) {
  stopTimers();
  clearProblem();
  say();
  document.getElementById('nav').hidden = true;
  document.getElementById('who').hidden = true;
  document.getElementById('signout').hidden = true;
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true,
    'aria-describedby': 'token-help signin-error' });
  const err = h('p', { id: 'signin-error', class: 'problem', role: 'alert', hidden: !message }, message || '');
  const button = h('button', { type: 'submit', id: 'signin' }, 'Sign in');
  const form = h('form', { class: 'signin', method: 'post', action: '#', 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, 'Sign in to Lifeboat'),
    h('label', { for: 'token' }, 'API token'),
    input,
    h('p', { id: 'token-help', class: 'muted' },
      'A token from lifeboat.auth.tokens (scripts/run-local.sh prints one). It stays in this browser tab only '
      + '(sessionStorage) and is sent as a bearer header, never in a URL or a cookie.'),
    button, err);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    button.disabled = true;
    err.hidden = true;
    try {
      const t = input.value.trim();
      me = await api('/whoami', { bearer: t });
      token.set(t);
      input.value = '';
      start();
    } catch (e) {
      err.textContent = e.status === 401 ? 'Sign-in failed: ' + e.message + ' Check the token and try again.' : e.message;
      err.hidden = false;
      input.focus();
    } finally {
      button.disabled = false;
    }
  });
  swap(main, form);
  input.focus();
}

function renderWho() {
  const what = {
    viewer: 'may look at targets, backups and jobs; no actions',
    operator: 'may back up, drill, verify and cancel jobs',
    admin: 'may also restore, pin and delete backups',
  }[me.role];
  const who = document.getElementById('who');
  who.replaceChildren(h('span', { class: 'role role-' + me.role, id: 'role' }, me.role), ' ',
    h('span', { id: 'role-help' }, `Token “${me.token}” ${what}.`));
  who.hidden = false;
  document.getElementById('nav').hidden = false;
  document.getElementById('signout').hidden = false;
}

async function start() {
  try {
    if (!me) me = await api('/whoami');
    renderWho();
    route();
  } catch (e) {
    if (e.status === 401) signOut('Your token is no longer accepted: ' + e.message);
    else { showProblem(e); }
  }
}

// ---- routing and refresh ----

function stopTimers() {
  timers.forEach(clearInterval);
  timers = [];
  renderId++;
}

function every(ms, fn) {
  timers.push(setInterval(fn, ms));
}

function route() {
  if (!token.get()) return renderSignIn();
  if (!me) return start();
  stopTimers();
  clearProblem();
  const hash = location.hash || '#/';
  let m;
  if ((m = hash.match(/^#\/targets\/([^/]+)$/))) return targetPage(decodeURIComponent(m[1]));
  if (hash === '#/jobs') return jobsPage();
  return overview();
}

window.addEventListener('hashchange', () => {
  say();
  route();
  main.focus({ preventScroll: true });
});

/** Runs a refresh, showing its problem instead of a blank page; a refresh of an old page is dropped. */
function refresher(fn) {
  const id = renderId;
  return async () => {
    if (id !== renderId) return;
    try {
      await fn(() => id === renderId);
      if (id === renderId && errorBox.dataset.from === 'refresh') clearProblem();
    } catch (e) {
      if (id !== renderId) return;
      showProblem(e, 'refresh');
    }
  };
}

// ---- actions ----

async function act(label, fn) {
  clearProblem();
  try {
    const result = await fn();
    if (result && result.id && result.kind) {
      say(`${label}: job `, h('a', { href: '#/jobs', id: 'last-job', dataset: { jobId: result.id } }, shortId(result.id)),
        ` ${result.status}.`);
    } else {
      say(label + '.');
    }
    return result;
  } catch (e) {
    showProblem(e);
    return null;
  }
}

function actionButtons(target, key, describedBy) {
  if (!may('backup')) return null;
  return h('div', { class: 'actions' },
    h('button', { type: 'button', 'aria-describedby': describedBy, dataset: { key: key + '-backup', action: 'backup' },
      onclick: () => act(`Backup of ${target} queued`, () => api('/backups', { method: 'POST', body: { target } })) },
    'Back up now'),
    h('button', { type: 'button', 'aria-describedby': describedBy, dataset: { key: key + '-drill', action: 'drill' },
      onclick: () => act(`Drill of ${target} queued`, () => api('/drills', { method: 'POST', body: { target } })) },
    'Drill now'));
}

// ---- overview ----

function pill(status) {
  return h('span', { class: 'pill ' + status, dataset: { status } }, STATUS_TEXT[status] || status);
}

function card(t) {
  const s = t.health;
  const good = s.lastGoodBackup;
  const drill = s.lastDrill;
  const titleId = 'card-' + t.name + '-title';
  return h('article', { class: 'card ' + s.status, 'aria-labelledby': titleId, dataset: { target: t.name, status: s.status } },
    h('header', {},
      h('h2', { id: titleId }, h('a', { href: '#/targets/' + encodeURIComponent(t.name), dataset: { key: 'card-' + t.name } }, t.name)),
      pill(s.status)),
    s.reasons.length ? h('ul', { class: 'reasons' }, s.reasons.map((r) => h('li', {}, r))) : null,
    h('dl', {},
      h('dt', {}, 'Last good backup'),
      h('dd', { class: 'backup-age' }, good
        ? [time(good.createdAt), ` · ${bytes(good.sizeBytes)} `,
          h('span', { class: 'muted' }, s.backupSchedule ? `(schedule allows ${seconds(s.backupMaxAgeSeconds)})`
            : `(allowed without a schedule: ${seconds(s.backupMaxAgeSeconds)})`)]
        : 'none'),
      h('dt', {}, 'Last drill'),
      h('dd', { class: 'drill' }, drill
        ? [h('span', { class: drill.passed ? 'ok' : 'bad' }, drill.passed ? 'passed' : 'failed'),
          drill.restoreSeconds != null ? ` · RTO ${seconds(drill.restoreSeconds)}` : '', ' · ', time(drill.at)]
        : 'none yet'),
      h('dt', {}, 'Next backup'),
      h('dd', {}, s.nextBackup ? time(s.nextBackup) : 'not scheduled here'),
      h('dt', {}, 'Next drill'),
      h('dd', {}, s.nextDrill ? time(s.nextDrill) : 'not scheduled here'),
      h('dt', {}, 'Anomalies'),
      h('dd', {}, s.anomalies.length ? h('ul', {}, s.anomalies.map((a) => h('li', {}, a))) : 'none'),
      h('dt', {}, 'Pinned'),
      h('dd', {}, s.pinned.length ? `${s.pinned.length} backup${s.pinned.length > 1 ? 's' : ''}` : 'none')),
    actionButtons(t.name, 'card-' + t.name, titleId));
}

function overview() {
  const grid = h('div', { class: 'cards', id: 'cards' }, h('p', { class: 'muted' }, 'Loading targets…'));
  const active = h('section', { 'aria-labelledby': 'active-title' });
  swap(main,
    h('h1', {}, 'Overview'),
    h('p', { class: 'muted' }, 'Green: the last backup succeeded within its schedule and the last drill passed. '
      + 'Amber: backup overdue, no drill yet, drill overdue, or anomalies. Red: no good backup, or the last backup or drill failed.'),
    active, grid);
  let last = '';
  const load = refresher(async (current) => {
    const [targets, jobs] = await Promise.all([api('/targets'), api('/jobs?limit=50')]);
    if (!current()) return;
    const running = jobs.items.filter((j) => j.status === 'running' || j.status === 'queued');
    swap(active, running.length
      ? [h('h2', { id: 'active-title' }, 'Running and queued jobs'), jobList(running)]
      : []);
    const key = JSON.stringify([targets.items.map((t) => [t.name, t.health]), Math.floor(Date.now() / 60000)]);
    if (key === last) return; // nothing new: keep the DOM (and focus) as it is
    last = key;
    swap(grid, targets.items.length ? targets.items.map(card) : h('p', {}, 'No targets are configured (lifeboat.targets.*).'));
    grid.dataset.loaded = 'true';
  });
  load();
  every(2000, load);
}

// ---- jobs ----

const samples = new Map(); // job id -> {bytes, at}: throughput when the API does not give it

function progressOf(j) {
  const p = j.progress;
  if (!p || j.status !== 'running') return null;
  const now = Date.now();
  let rate = p.bytesPerSecond;
  let eta = p.etaSeconds;
  const prev = samples.get(j.id);
  if (p.bytesDone != null) {
    if (rate == null && prev && p.bytesDone > prev.bytes && now > prev.at) {
      rate = (p.bytesDone - prev.bytes) / ((now - prev.at) / 1000);
    }
    if (!prev || p.bytesDone !== prev.bytes) samples.set(j.id, { bytes: p.bytesDone, at: now, rate });
    else if (rate == null) rate = prev.rate;
  }
  if (eta == null && rate > 0 && p.bytesTotal != null && p.bytesDone != null) eta = Math.max(0, (p.bytesTotal - p.bytesDone) / rate);
  const labelId = 'progress-' + j.id;
  const bar = h('progress', { 'aria-labelledby': labelId, dataset: { jobId: j.id, bytesDone: p.bytesDone ?? '' } });
  if (p.bytesTotal != null && p.bytesDone != null) {
    bar.max = Math.max(p.bytesTotal, p.bytesDone, 1);
    bar.value = p.bytesDone;
  }
  const parts = [p.phase || 'running'];
  if (p.bytesDone != null) parts.push(p.bytesTotal != null ? `${bytes(p.bytesDone)} of ~${bytes(p.bytesTotal)}` : bytes(p.bytesDone));
  if (rate != null) parts.push(bytes(rate) + '/s');
  if (eta != null) parts.push('ETA ' + seconds(eta));
  return h('div', { class: 'progress' }, bar, h('span', { id: labelId }, parts.join(' · ')));
}

function jobSummary(j) {
  const r = j.result || {};
  if (j.status === 'failed') return j.error ? j.error.message : 'failed';
  if (j.status !== 'succeeded') return null;
  if (j.kind === 'backup') return `${bytes(r.sizeBytes)} backup ${shortId(r.backupId)}`;
  if (j.kind === 'drill') return `${r.passed ? 'passed' : 'did not pass'}${r.restoreSeconds != null ? ' · RTO ' + seconds(r.restoreSeconds) : ''}`
    + (r.reason ? ' · ' + r.reason : '');
  if (j.kind === 'restore') return `restored into ${r.database}${r.restoreSeconds != null ? ' in ' + seconds(r.restoreSeconds) : ''}`;
  return null;
}

function jobList(jobs) {
  if (!jobs.length) return h('p', { class: 'muted' }, 'No jobs.');
  return h('ul', { class: 'jobs' }, jobs.map((j) => h('li', { class: 'job ' + j.status, dataset: { jobId: j.id, status: j.status, kind: j.kind } },
    h('div', { class: 'job-head' },
      h('strong', {}, j.kind), ' ', j.target ? h('a', { href: '#/targets/' + encodeURIComponent(j.target) }, j.target) : '',
      ' ', h('span', { class: 'state ' + j.status }, j.status),
      ' ', h('span', { class: 'muted' }, shortId(j.id), ' · ', time(j.finishedAt || j.startedAt || j.createdAt)),
      j.status === 'running' || j.status === 'queued'
        ? (may('cancel') ? h('button', { type: 'button', class: 'small', dataset: { key: 'cancel-' + j.id },
          onclick: () => act(`Cancel of job ${shortId(j.id)} requested`, () => api(`/jobs/${j.id}/cancel`, { method: 'POST' })) },
        'Cancel') : null)
        : null),
    progressOf(j),
    jobSummary(j) ? h('div', { class: 'muted job-result' }, jobSummary(j)) : null)));
}

function jobsPage() {
  const list = h('div', { id: 'job-list' }, h('p', { class: 'muted' }, 'Loading jobs…'));
  swap(main, h('h1', {}, 'Jobs'), h('p', { class: 'muted' }, 'The 30 newest jobs; running ones update every second.'), list);
  const load = refresher(async (current) => {
    const jobs = await api('/jobs?limit=30');
    if (current()) swap(list, jobList(jobs.items));
  });
  load();
  every(1000, load);
}

// ---- one target ----

function restoreDialog(target, backup) {
  const dialog = document.getElementById('restore-dialog');
  const err = h('p', { class: 'problem', role: 'alert', hidden: true });
  const db = h('input', { id: 'restore-db', name: 'database', autocomplete: 'off', value: `${backup.database}_restored` });
  db.value = `${backup.database}_restored`;
  const confirm = h('input', { id: 'restore-confirm', name: 'confirm', autocomplete: 'off', 'aria-describedby': 'restore-confirm-help' });
  const modeNew = h('input', { type: 'radio', name: 'mode', id: 'mode-new', value: 'new', checked: true });
  const modeReplace = h('input', { type: 'radio', name: 'mode', id: 'mode-replace', value: 'replace' });
  const submit = h('button', { type: 'submit', class: 'danger' }, 'Restore');
  const sync = () => {
    db.disabled = !modeNew.checked;
    confirm.disabled = !modeReplace.checked;
    submit.disabled = modeReplace.checked && confirm.value !== target;
  };
  [modeNew, modeReplace].forEach((r) => r.addEventListener('change', sync));
  confirm.addEventListener('input', sync);
  const form = h('form', { method: 'dialog' },
    h('h2', { id: 'restore-title' }, `Restore backup ${shortId(backup.id)} of ${target}`),
    h('p', {}, `Made ${when(backup.createdAt)}, ${bytes(backup.sizeBytes)}.`),
    h('fieldset', {}, h('legend', {}, 'Where to'),
      h('div', {}, modeNew, ' ', h('label', { for: 'mode-new' }, 'Into a new database')),
      h('label', { for: 'restore-db' }, 'New database name'), db,
      h('div', {}, modeReplace, ' ', h('label', { for: 'mode-replace' }, `Replace the live database of ${target} (kept as <db>_before_…)`)),
      h('label', { for: 'restore-confirm' }, 'Type the target name to confirm'), confirm,
      h('p', { id: 'restore-confirm-help', class: 'muted' }, `Replacing needs the typed name “${target}”, as the API does.`)),
    err,
    h('div', { class: 'actions' }, submit, h('button', { type: 'button', class: 'ghost', onclick: () => dialog.close() }, 'Cancel')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = modeNew.checked
      ? { backupId: backup.id, mode: 'new', database: db.value.trim() }
      : { backupId: backup.id, mode: 'replace', confirm: confirm.value };
    try {
      const job = await api('/restores', { method: 'POST', body });
      dialog.close();
      say('Restore queued: job ', h('a', { href: '#/jobs', id: 'last-job', dataset: { jobId: job.id } }, shortId(job.id)), '.');
    } catch (e) {
      err.textContent = e.message;
      err.hidden = false;
    }
  });
  sync();
  dialog.replaceChildren(form);
  dialog.showModal();
  db.focus();
}

function backupRow(target, b) {
  const drill = b.lastDrill;
  const duration = b.finishedAt ? (Date.parse(b.finishedAt) - Date.parse(b.createdAt)) / 1000 : null;
  const k = 'backup-' + b.id;
  const rowId = 'created-' + b.id; // the row's buttons are described by its time
  const buttons = [];
  if (may('verify')) {
    buttons.push(h('button', { type: 'button', class: 'small', 'aria-describedby': rowId, dataset: { key: k + '-verify', action: 'verify' },
      onclick: () => act(`Verify of backup ${shortId(b.id)} queued`, () => api(`/backups/${b.id}/verify`, { method: 'POST' })) }, 'Verify'));
  }
  if (may('drill')) {
    buttons.push(h('button', { type: 'button', class: 'small', 'aria-describedby': rowId, dataset: { key: k + '-drill', action: 'drill' },
      onclick: () => act(`Drill of backup ${shortId(b.id)} queued`, () => api('/drills', { method: 'POST', body: { target, backupId: b.id } })) }, 'Drill'));
  }
  if (may('pin')) {
    buttons.push(h('button', { type: 'button', class: 'small', 'aria-describedby': rowId, dataset: { key: k + '-pin', action: b.pinned ? 'unpin' : 'pin' },
      onclick: async () => { if (await act(`Backup ${shortId(b.id)} ${b.pinned ? 'unpinned' : 'pinned'}`,
        () => api(`/backups/${b.id}/${b.pinned ? 'unpin' : 'pin'}`, { method: 'POST' }))) route(); } }, b.pinned ? 'Unpin' : 'Pin'));
  }
  if (may('restore') && b.status === 'available') {
    buttons.push(h('button', { type: 'button', class: 'small danger', 'aria-describedby': rowId, dataset: { key: k + '-restore', action: 'restore' },
      onclick: () => restoreDialog(target, b) }, 'Restore…'));
  }
  return h('tr', { dataset: { backupId: b.id } },
    h('td', {}, h('span', { id: rowId, title: b.id }, when(b.createdAt))),
    h('td', { class: 'num' }, bytes(b.sizeBytes)),
    h('td', { class: 'num' }, seconds(duration)),
    h('td', {}, h('span', { class: 'state ' + (b.status === 'available' ? 'succeeded' : 'failed') }, b.status),
      b.warnings.length ? h('span', { class: 'bad', title: b.warnings.join('\n') }, ` ${b.warnings.length} anomal${b.warnings.length > 1 ? 'ies' : 'y'}`) : null),
    h('td', {}, drill ? `${drill.passed ? 'passed' : 'failed'}${drill.restoreSeconds != null ? ' · ' + seconds(drill.restoreSeconds) : ''}` : '–'),
    h('td', {}, b.pinned ? h('span', { title: b.pinnedReason || '' }, 'pinned') : '–'),
    h('td', { class: 'row-actions' }, buttons.length ? buttons : h('span', { class: 'muted' }, '–')));
}

function table(caption, id, head, rows) {
  return h('div', { class: 'scroll', role: 'region', 'aria-labelledby': id + '-caption', tabindex: '0' },
    h('table', { id },
      h('caption', { id: id + '-caption' }, caption),
      h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows)));
}

function charts(backups) {
  const withDuration = backups.filter((b) => b.finishedAt).map((b) => ({ t: b.createdAt, v: (Date.parse(b.finishedAt) - Date.parse(b.createdAt)) / 1000 }));
  const drills = backups.filter((b) => b.lastDrill && b.lastDrill.restoreSeconds != null).map((b) => ({ t: b.lastDrill.at, v: b.lastDrill.restoreSeconds }));
  const count = (pts, what) => `${pts.length} ${what}`;
  return h('div', { class: 'charts' },
    timeChart({ id: 'chart-size', title: 'Backup size', points: backups.map((b) => ({ t: b.createdAt, v: b.sizeBytes })), format: bytes,
      summary: (p) => count(p, 'backups') + (p.length ? `, newest ${bytes(p[p.length - 1].v)}` : '') }),
    timeChart({ id: 'chart-duration', title: 'Backup duration', points: withDuration, format: seconds,
      summary: (p) => count(p, 'backups') + (p.length ? `, newest took ${seconds(p[p.length - 1].v)}` : '') }),
    timeChart({ id: 'chart-rto', title: 'Drill restore time (RTO)', points: drills, format: seconds,
      summary: (p) => count(p, 'drills') + (p.length ? `, newest ${seconds(p[p.length - 1].v)}` : '') }));
}

function targetPage(name) {
  const head = h('div', { id: 'target-head' }, h('h1', {}, name));
  const jobsBox = h('div', { id: 'target-jobs' });
  const body = h('div', { id: 'target-body' }, h('p', { class: 'muted' }, 'Loading…'));
  swap(main, h('p', {}, h('a', { href: '#/' }, '← Overview')), head, body,
    h('section', { 'aria-labelledby': 'jobs-title' }, h('h2', { id: 'jobs-title' }, 'Recent jobs'), jobsBox));
  let last = '';
  const load = refresher(async (current) => {
    const path = encodeURIComponent(name);
    const [t, backups, retention] = await Promise.all([
      api('/targets/' + path), api('/backups?limit=200&target=' + path), api('/targets/' + path + '/retention')]);
    if (!current()) return;
    const key = JSON.stringify([t, backups.items, retention, Math.floor(Date.now() / 60000)]);
    if (key === last) return;
    last = key;
    const s = t.health;
    swap(head,
      h('h1', { id: 'target-title' }, name, ' ', pill(s.status)),
      h('p', { class: 'muted' }, `${t.profile} · ${t.database} on ${t.host}:${t.port} · storage ${t.storage.join(', ')}`),
      s.reasons.length ? h('ul', { class: 'reasons' }, s.reasons.map((r) => h('li', {}, r))) : h('p', { class: 'ok' }, 'All good.'),
      actionButtons(name, 'target', 'target-title'));
    const rows = backups.items.map((b) => backupRow(name, b));
    swap(body,
      h('section', { 'aria-labelledby': 'charts-title' }, h('h2', { id: 'charts-title' }, 'Over time'), charts(backups.items)),
      h('section', { 'aria-labelledby': 'backups-title' }, h('h2', { id: 'backups-title' }, 'Backups'),
        rows.length ? table(`${rows.length} backup${rows.length === 1 ? '' : 's'}, newest first`, 'backups',
          ['Created', 'Size', 'Duration', 'Status', 'Last drill', 'Pinned', 'Actions'], rows)
          : h('p', {}, 'No backups yet.')),
      h('section', { 'aria-labelledby': 'retention-title' }, h('h2', { id: 'retention-title' }, 'Retention preview'),
        h('p', { class: 'muted' }, `What a prune now would do: keep ${retention.keep}, delete ${retention.delete}. Rules: `
          + (Object.keys(retention.rules).length ? Object.entries(retention.rules).map(([k, v]) => `${k} ${v}`).join(', ') : 'none (keep everything)') + '.'),
        retention.backups.length ? table('Every backup, newest first', 'retention', ['Backup', 'Decision', 'Reasons'],
          retention.backups.map((d) => h('tr', { dataset: { backupId: d.backupId } },
            h('td', {}, when(d.createdAt), d.pinned ? ' (pinned)' : ''),
            h('td', {}, h('span', { class: d.keep ? 'ok' : 'bad' }, d.keep ? 'keep' : 'delete')),
            h('td', {}, d.reasons.join('; '))))) : null));
  });
  const loadJobs = refresher(async (current) => {
    const jobs = await api('/jobs?limit=10&target=' + encodeURIComponent(name));
    if (current()) swap(jobsBox, jobList(jobs.items));
  });
  load();
  loadJobs();
  every(5000, load);
  every(1000, loadJobs);
}

// ---- start ----

if (token.get()) start(); else renderSignIn();
