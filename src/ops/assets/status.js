// The status page: reads where sync stands through the gateway's own GraphQL API (syncStatus,
// conflicts), the last hour's samples from /status/history, plots them with uPlot, and resolves
// conflicts through the resolveConflict mutation. Refreshes itself; `?refresh=<ms>` sets how often.
'use strict';

const GRAPHQL = '/graphql';
const REFRESH_MS = Math.max(500, Number(new URLSearchParams(window.location.search).get('refresh')) || 5000);
const CONFLICT_PAGE = 50;
const STATES = ['IN_SYNC', 'PENDING', 'CONFLICT', 'ERROR'];

const WAITING_PAGE = 20;

const STATUS_QUERY = `fragment WaitingContact on Contact { __typename id fullName sync { state reason } }
fragment WaitingCompany on Company { __typename id name sync { state reason } }
fragment WaitingActivity on Activity { __typename id subject sync { state reason } }
query StatusPage($conflicts: Int!, $waiting: Int!) {
  syncStatus {
    feeds { feed system entity cursor lastRunAt lagMs applied blockedReason heldDeletes }
    pendingOperations
    openConflicts
    links { entity state count }
  }
  pendingContacts: contacts(filter: { syncState: PENDING }, first: $waiting) { nodes { ...WaitingContact } }
  errorContacts: contacts(filter: { syncState: ERROR }, first: $waiting) { nodes { ...WaitingContact } }
  pendingCompanies: companies(filter: { syncState: PENDING }, first: $waiting) { nodes { ...WaitingCompany } }
  errorCompanies: companies(filter: { syncState: ERROR }, first: $waiting) { nodes { ...WaitingCompany } }
  pendingActivities: activities(filter: { syncState: PENDING }, first: $waiting) { nodes { ...WaitingActivity } }
  errorActivities: activities(filter: { syncState: ERROR }, first: $waiting) { nodes { ...WaitingActivity } }
  conflicts(open: true, first: $conflicts) {
    totalCount
    nodes {
      id field customerpValue crmofficeValue detectedAt
      record {
        __typename id
        ... on Contact { fullName }
        ... on Company { name }
        ... on Activity { subject }
      }
    }
  }
}`;

const HELD_DELETES_MUTATIONS = {
  approve: `mutation ApproveHeldDeletes($system: System!, $entity: String!) {
    approveHeldDeletes(system: $system, entity: $entity) { system entity heldDeletes }
  }`,
  discard: `mutation DiscardHeldDeletes($system: System!, $entity: String!) {
    discardHeldDeletes(system: $system, entity: $entity) { system entity heldDeletes }
  }`,
};

const RESOLVE_MUTATION = `mutation ResolveConflict($id: ID!, $keep: System!) {
  resolveConflict(id: $id, keep: $keep) {
    conflict { id field kept resolvedAt }
    writes { system state error }
  }
}`;

/** Conflict ids whose resolution is under way: their buttons stay disabled across refreshes. */
const resolving = new Set();
let plot = null;
/** The server's now, in seconds: the plot's x axis always spans the hour before it. */
let plotNow = 0;
let timer = null;

/** The operator's token, once the gateway asked for one: kept for this tab only (sessionStorage), never in the URL. */
const TOKEN_KEY = 'gateway-status-token';

function tokenHeader() {
  const token = window.sessionStorage.getItem(TOKEN_KEY);
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** Shows the token form (the gateway answered 401 or FORBIDDEN); submitting it stores the token and refreshes. */
function askForToken() {
  const form = document.getElementById('token-form');
  if (!form.hidden) return;
  form.hidden = false;
  form.addEventListener(
    'submit',
    (event) => {
      event.preventDefault();
      const value = document.getElementById('token').value.trim();
      if (!value) return;
      window.sessionStorage.setItem(TOKEN_KEY, value);
      form.hidden = true;
      void refresh();
    },
    { once: true },
  );
}

async function graphql(query, variables) {
  const response = await fetch(GRAPHQL, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...tokenHeader() },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json().catch(() => null);
  const codes = (body && body.errors ? body.errors : []).map((e) => e.extensions && e.extensions.code);
  if (response.status === 401 || codes.includes('UNAUTHENTICATED') || codes.includes('FORBIDDEN')) askForToken();
  if (!body) throw new Error(`HTTP ${response.status} from ${GRAPHQL}`);
  if (body.errors && body.errors.length) throw new Error(body.errors.map((e) => e.message).join('; '));
  return body.data;
}

async function getJson(path) {
  const response = await fetch(path, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`HTTP ${response.status} from ${path}`);
  return response.json();
}

function element(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'className') node.className = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

function formatLag(ms) {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

function formatTime(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  return `${date.toLocaleDateString()} ${date.toLocaleTimeString()}`;
}

/** A conflicting value as text: strings as they are, anything else as JSON, nothing as a dash. */
function formatValue(value) {
  if (value === null || value === undefined) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function recordLabel(record) {
  if (!record) return '(deleted)';
  const name = record.fullName || record.name || record.subject || record.id;
  return `${record.__typename}: ${name}`;
}

function renderFeeds(feeds) {
  const body = document.querySelector('#feeds tbody');
  body.replaceChildren(
    ...feeds.map((feed) =>
      element(
        'tr',
        { 'data-feed': feed.feed, className: feed.blockedReason ? 'blocked' : '' },
        element('td', { className: 'mono' }, feed.feed),
        element('td', { className: 'mono' }, feed.cursor === null ? '—' : feed.cursor),
        element('td', {}, formatTime(feed.lastRunAt)),
        element('td', { className: 'number' }, formatLag(feed.lagMs)),
        element('td', { className: 'number' }, feed.applied),
        element('td', { className: 'held' }, ...heldDeletesCell(feed)),
        element('td', {}, feed.blockedReason || ''),
      ),
    ),
  );
  if (feeds.length === 0) body.append(element('tr', {}, element('td', { colspan: 7 }, 'No feed has run yet.')));
}

/** A feed's held deletes: the count, and Approve / Discard while there are some. */
function heldDeletesCell(feed) {
  if (!feed.heldDeletes) return ['0'];
  const button = (action, label) =>
    element('button', { type: 'button', 'data-action': action, onclick: () => actOnHeldDeletes(feed, action) }, label);
  return [`${feed.heldDeletes} `, button('approve', 'Approve deletes'), button('discard', 'Discard deletes')];
}

async function actOnHeldDeletes(feed, action) {
  const message = document.getElementById('feed-message');
  const what = `${feed.heldDeletes} held deletes of ${feed.feed}`;
  if (!window.confirm(`${action === 'approve' ? 'Approve' : 'Discard'} ${what}?`)) return;
  for (const button of document.querySelectorAll(`tr[data-feed="${CSS.escape(feed.feed)}"] button`))
    button.disabled = true;
  try {
    await graphql(HELD_DELETES_MUTATIONS[action], { system: feed.system, entity: feed.entity });
    message.textContent = `${action === 'approve' ? 'Approved' : 'Discarded'} ${what}.`;
  } catch (error) {
    message.textContent = `Could not ${action} ${what}: ${error.message}`;
  }
  void refresh();
}

/** Records that are not IN_SYNC (PENDING or ERROR), each with why. */
function renderWaiting(status) {
  const records = [
    ...status.pendingContacts.nodes,
    ...status.errorContacts.nodes,
    ...status.pendingCompanies.nodes,
    ...status.errorCompanies.nodes,
    ...status.pendingActivities.nodes,
    ...status.errorActivities.nodes,
  ];
  const body = document.querySelector('#waiting tbody');
  body.replaceChildren(
    ...records.map((record) =>
      element(
        'tr',
        { 'data-record-id': record.id },
        element('td', {}, recordLabel(record)),
        element('td', {}, record.sync.state),
        element('td', { className: 'reason' }, record.sync.reason || ''),
      ),
    ),
  );
  if (records.length === 0) body.append(element('tr', {}, element('td', { colspan: 3 }, 'No record is waiting.')));
}

function renderLinks(links) {
  const byEntity = new Map();
  for (const { entity, state, count } of links) {
    if (!byEntity.has(entity)) byEntity.set(entity, {});
    byEntity.get(entity)[state] = count;
  }
  const body = document.querySelector('#links tbody');
  body.replaceChildren(
    ...[...byEntity.entries()].map(([entity, counts]) =>
      element(
        'tr',
        { 'data-entity': entity },
        element('td', {}, entity),
        ...STATES.map((state) => element('td', { className: 'number', 'data-state': state }, counts[state] || 0)),
        element(
          'td',
          { className: 'number' },
          STATES.reduce((sum, state) => sum + (counts[state] || 0), 0),
        ),
      ),
    ),
  );
}

function renderConflicts(page) {
  const body = document.querySelector('#conflicts tbody');
  body.replaceChildren(
    ...page.nodes.map((conflict) => {
      const busy = resolving.has(conflict.id);
      const button = (keep, label) =>
        element(
          'button',
          { type: 'button', 'data-keep': keep, disabled: busy, onclick: () => resolveConflict(conflict, keep) },
          label,
        );
      return element(
        'tr',
        { 'data-conflict-id': conflict.id },
        element('td', {}, recordLabel(conflict.record)),
        element('td', { className: 'mono' }, conflict.field),
        element('td', { className: 'value', 'data-side': 'CUSTOMERP' }, formatValue(conflict.customerpValue)),
        element('td', { className: 'value', 'data-side': 'CRMOFFICE' }, formatValue(conflict.crmofficeValue)),
        element('td', {}, formatTime(conflict.detectedAt)),
        element(
          'td',
          { className: 'actions' },
          button('CUSTOMERP', 'Keep Customerp'),
          button('CRMOFFICE', 'Keep Crmoffice'),
        ),
      );
    }),
  );
  if (page.nodes.length === 0) body.append(element('tr', {}, element('td', { colspan: 6 }, 'No open conflicts.')));
  const more = document.getElementById('conflicts-more');
  more.hidden = page.totalCount <= page.nodes.length;
  more.textContent = `Showing ${page.nodes.length} of ${page.totalCount} open conflicts; the rest follow as these are resolved.`;
}

function renderPlot(history) {
  const now = Date.parse(history.now) / 1000;
  const samples = history.samples;
  const data = [
    samples.map((s) => Date.parse(s.minute) / 1000),
    samples.map((s) => s.lagMs),
    samples.map((s) => s.applied),
  ];
  const container = document.getElementById('plot');
  plotNow = now;
  if (!plot) {
    plot = new uPlot(
      {
        width: Math.max(320, container.clientWidth),
        height: 240,
        scales: {
          x: { time: true, range: () => [plotNow - 3600, plotNow + 60] },
          // Both from zero, so that a small wobble does not look like a spike.
          ms: { range: (_u, _min, max) => [0, Math.max(100, (max || 0) * 1.1)] },
          n: { range: (_u, _min, max) => [0, Math.max(10, (max || 0) * 1.1)] },
        },
        series: [
          { label: 'minute' },
          { label: 'sync lag (ms)', scale: 'ms', stroke: '#2563eb', width: 2, spanGaps: true, points: { show: true } },
          {
            label: 'applied changes',
            scale: 'n',
            stroke: '#16a34a',
            fill: 'rgba(22, 163, 74, 0.25)',
            paths: uPlot.paths.bars({ size: [0.6, 24] }),
          },
        ],
        axes: [
          {},
          { scale: 'ms', label: 'lag (ms)' },
          { scale: 'n', side: 1, label: 'changes / minute', grid: { show: false } },
        ],
      },
      data,
      container,
    );
    window.addEventListener('resize', () => plot.setSize({ width: Math.max(320, container.clientWidth), height: 240 }));
  }
  plot.setData(data);
  container.dataset.samples = String(samples.length);
}

function render(status, history) {
  const { syncStatus, conflicts } = status;
  document.getElementById('pending-operations').textContent = syncStatus.pendingOperations;
  document.getElementById('open-conflicts').textContent = syncStatus.openConflicts;
  const lags = syncStatus.feeds.map((f) => f.lagMs).filter((lag) => lag !== null);
  document.getElementById('max-lag').textContent = lags.length ? formatLag(Math.max(...lags)) : '—';
  renderFeeds(syncStatus.feeds);
  renderLinks(syncStatus.links);
  renderWaiting(status);
  renderConflicts(conflicts);
  renderPlot(history);
  document.getElementById('updated').textContent = new Date().toLocaleTimeString();
}

function showError(message) {
  const banner = document.getElementById('error');
  banner.hidden = !message;
  banner.textContent = message ? `Last refresh failed: ${message}` : '';
}

async function refresh() {
  clearTimeout(timer);
  try {
    const [status, history] = await Promise.all([
      graphql(STATUS_QUERY, { conflicts: CONFLICT_PAGE, waiting: WAITING_PAGE }),
      getJson('/status/history'),
    ]);
    render(status, history);
    showError(null);
    document.body.dataset.loaded = 'true';
  } catch (error) {
    showError(error.message);
  } finally {
    timer = setTimeout(refresh, REFRESH_MS);
  }
}

async function resolveConflict(conflict, keep) {
  const message = document.getElementById('conflict-message');
  resolving.add(conflict.id);
  for (const button of document.querySelectorAll(`tr[data-conflict-id="${CSS.escape(conflict.id)}"] button`))
    button.disabled = true;
  message.textContent = `Resolving ${conflict.field}, keeping the ${keep === 'CUSTOMERP' ? 'Customerp' : 'Crmoffice'} value…`;
  try {
    const { resolveConflict: result } = await graphql(RESOLVE_MUTATION, { id: conflict.id, keep });
    const writes = result.writes.map((w) => `${w.system} ${w.state}${w.error ? ` (${w.error})` : ''}`).join(', ');
    message.textContent = `Resolved ${result.conflict.field}, kept ${result.conflict.kept}: ${writes}.`;
  } catch (error) {
    message.textContent = `Could not resolve ${conflict.field}: ${error.message}`;
  } finally {
    resolving.delete(conflict.id);
    await refresh();
  }
}

document.getElementById('every').textContent = `${REFRESH_MS / 1000} s`;
refresh();
