'use strict';
// End-to-end test: starts ./serve.sh on a free 127.0.0.1 port with a fresh
// data directory, exercises every route, restarts the server on the same data
// directory (SIGTERM and SIGKILL), and fires bursts of concurrent requests.
// Usage: node test/run.js        (exit code 0 = all checks passed)

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const http = require('node:http');

const ROOT = path.resolve(__dirname, '..');
const ADMIN = 'strongly-dev-admin';
const READER = 'strongly-dev-reader';
const OTHER = 'strongly-dev-other';

let passed = 0;
let failed = 0;
function check(cond, msg, extra) {
  if (cond) passed++;
  else {
    failed++;
    console.log(`FAIL: ${msg}${extra !== undefined ? ` -- ${JSON.stringify(extra).slice(0, 600)}` : ''}`);
  }
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function startServer(dataDir, port, delay) {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(ROOT, 'serve.sh'), ['--host', '127.0.0.1', '--port', String(port), '--data', dataDir, '--provision-delay', String(delay)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const onData = (d) => {
      out += d;
      if (out.includes('listening on')) resolve(child);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d) => {
      out += d;
      process.stderr.write(`[server stderr] ${d}`);
    });
    child.on('exit', (code) => reject(new Error(`server exited early (${code}): ${out}`)));
  });
}

function stopServer(child, signal = 'SIGTERM') {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.removeAllListeners('exit');
    child.on('exit', (code, sig) => resolve(code === null ? sig : code));
    child.kill(signal);
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
let PORT;
function req(method, p, { key = ADMIN, body, raw, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const h = { ...headers };
    if (key) h['X-API-Key'] = key;
    let data;
    if (raw !== undefined) data = raw;
    else if (body !== undefined) {
      data = JSON.stringify(body);
      h['Content-Type'] = 'application/json';
    }
    if (data !== undefined) h['Content-Length'] = Buffer.byteLength(data);
    const r = http.request({ host: '127.0.0.1', port: PORT, method, path: `/api/v1${p}`, headers: h, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch (_) {
          json = { __unparsable: text };
        }
        resolve({ status: res.statusCode, body: json, headers: res.headers, text });
      });
    });
    r.on('error', reject);
    if (data !== undefined) r.write(data);
    r.end();
  });
}

function isErr(r, status, code) {
  return r.status === status && r.body && typeof r.body.error === 'string' && typeof r.body.message === 'string' && (!code || r.body.error === code);
}

async function waitStatus(id, status, ms = 5000) {
  const end = Date.now() + ms;
  for (;;) {
    const r = await req('GET', `/workspaces/${id}`);
    if (r.body && r.body.status === status) return r;
    if (Date.now() > end) return r;
    await sleep(100);
  }
}

async function main() {
  fs.mkdirSync(path.join(ROOT, 'tmp'), { recursive: true });
  const dataDir = fs.mkdtempSync(path.join(ROOT, 'tmp', 'data-'));
  PORT = await freePort();
  let server = await startServer(dataDir, PORT, 0.5);
  try {
    // ------------------------------------------------------------ auth & routing
    check(isErr(await req('GET', '/workspaces', { key: null }), 401, 'unauthorized'), 'no key -> 401');
    check(isErr(await req('GET', '/workspaces', { key: 'nope' }), 401), 'bad key -> 401');
    check(isErr(await req('POST', '/projects', { key: READER, body: { name: 'x', description: 'y' } }), 403, 'insufficient_scope'), 'reader write -> 403');
    check(isErr(await req('GET', '/nothing'), 404), 'unknown route -> 404');
    let r = await req('PATCH', '/projects');
    check(isErr(r, 405) && /GET/.test(r.headers.allow), 'PATCH /projects -> 405 with Allow', r);
    check(isErr(await req('PUT', '/volumes/shared', { body: {} }), 405), 'PUT /volumes/shared -> 405');

    // ------------------------------------------------------------ projects
    r = await req('POST', '/projects', { raw: '{"name": ', headers: { 'Content-Type': 'application/json' } });
    check(isErr(r, 400, 'invalid_json'), 'malformed JSON -> 400', r.body);
    check(isErr(await req('POST', '/projects', { body: [1, 2] }), 400), 'array body -> 400');
    check(isErr(await req('POST', '/projects', {}), 400), 'missing body -> 400');
    r = await req('POST', '/projects', { body: { name: 5, visibility: 'public', tags: 'ml', project_id: 'x', status: 'archived' } });
    check(isErr(r, 400, 'validation_error') && r.body.details.length >= 5, 'invalid project body lists all problems', r.body);
    r = await req('POST', '/projects', { body: { name: '  ', description: 'd' } });
    check(isErr(r, 400), 'blank name -> 400');

    r = await req('POST', '/projects', { body: { name: 'customer-churn-analysis', description: 'Predict and analyze customer churn patterns', category: 'machine-learning', visibility: 'organization', tags: ['ml', 'churn', 'production'] } });
    check(r.status === 201 && r.body.id && r.body.id.startsWith('proj_'), 'create project 201', r.body);
    check(r.headers.location === `/api/v1/projects/${r.body.id}`, 'Location header');
    const proj = r.body;
    const projectFields = ['id', 'name', 'description', 'status', 'category', 'visibility', 'organizationId', 'owner', 'ownerId', 'collaborators', 'sharedWith', 'tags', 'archived', 'defaultDataVolumeId', 'attachedVolumeIds', 'createdAt', 'updatedAt'];
    check(projectFields.every((f) => f in proj), 'project has every documented field', Object.keys(proj));
    check(proj.status === 'active' && proj.archived === false && proj.owner === 'Dev Admin' && proj.ownerId === 'user_admin' && proj.organizationId === 'org_a', 'project defaults', proj);
    check(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(proj.createdAt), 'timestamp format');
    check(proj.collaborators.length === 1 && proj.collaborators[0].isOwner === true, 'owner listed as collaborator');

    r = await req('POST', '/projects', { body: { name: 'fraud-detection', description: 'ML pipeline', category: 'finance', tags: ['fraud'] } });
    const proj2 = r.body;
    check(r.status === 201 && proj2.visibility === 'organization' && proj2.category === 'finance', 'second project');

    r = await req('GET', '/projects?search=CHURN');
    check(r.status === 200 && r.body.count === 1 && r.body.projects[0].id === proj.id, 'project search', r.body);
    r = await req('GET', '/projects?tag=production');
    check(r.body.count === 1, 'project tag filter');
    r = await req('GET', '/projects?category=finance');
    check(r.body.count === 1 && r.body.projects[0].id === proj2.id, 'project category filter');
    check(isErr(await req('GET', '/projects?status=bogus'), 400), 'bad status filter -> 400');
    check(isErr(await req('GET', '/projects?limit=0'), 400), 'limit=0 -> 400');
    check(isErr(await req('GET', '/projects?limit=abc'), 400), 'limit=abc -> 400');
    check(isErr(await req('GET', '/projects?limit=1000'), 400), 'limit=1000 -> 400');
    check(isErr(await req('GET', '/projects?offset=-1'), 400), 'offset=-1 -> 400');
    check(isErr(await req('GET', '/projects?sort=bogus:desc'), 400), 'bad sort -> 400');
    check(isErr(await req('GET', '/projects?page=2'), 400), 'unknown query param -> 400');
    r = await req('GET', '/projects?sort=name:asc&limit=1');
    check(r.body.count === 2 && r.body.projects.length === 1 && r.body.projects[0].name === 'customer-churn-analysis' && r.body.limit === 1, 'sort+limit', r.body);
    r = await req('GET', '/projects?sort=name:asc&limit=1&offset=1');
    check(r.body.projects[0].name === 'fraud-detection', 'offset');

    r = await req('GET', `/projects/${proj.id}`);
    check(r.status === 200 && r.body.name === proj.name, 'retrieve project');
    check(isErr(await req('GET', '/projects/proj_doesnotexist'), 404), 'unknown project 404');
    check(isErr(await req('GET', '/projects/__proto__'), 404), '__proto__ id 404');

    r = await req('PUT', `/projects/${proj.id}`, { body: { description: 'Updated churn analysis with new features', tags: ['ml', 'churn', 'production', 'v2'] } });
    check(r.status === 200 && r.body.tags.length === 4 && r.body.description.startsWith('Updated'), 'update project', r.body);
    // GET-modify-PUT round trip: read-only fields unchanged are accepted
    const full = (await req('GET', `/projects/${proj.id}`)).body;
    full.name = 'customer-churn-analysis-v2';
    r = await req('PUT', `/projects/${proj.id}`, { body: full });
    check(r.status === 200 && r.body.name === 'customer-churn-analysis-v2', 'GET-modify-PUT round trip', r.body);
    r = await req('PUT', `/projects/${proj.id}`, { body: { status: 'archived' } });
    check(isErr(r, 400), 'changing read-only status via PUT -> 400', r.body);
    r = await req('PUT', `/projects/${proj.id}`, { body: { name: null } });
    check(isErr(r, 400), 'null name -> 400');

    // collaborators
    r = await req('POST', `/projects/${proj.id}/collaborators`, { body: { email: 'teammate@company.com', role: 'editor' } });
    check(r.status === 201 && r.body.email === 'teammate@company.com' && r.body.role === 'editor' && r.body.isOwner === false && r.body.grantedBy === 'user_admin' && r.body.userId, 'add invited collaborator', r.body);
    const invitedId = r.body.userId;
    check(isErr(await req('POST', `/projects/${proj.id}/collaborators`, { body: { email: 'TEAMMATE@company.com', role: 'viewer' } }), 409), 'duplicate collaborator -> 409');
    check(isErr(await req('POST', `/projects/${proj.id}/collaborators`, { body: { email: 'admin@org-a.example', role: 'viewer' } }), 409), 'owner as collaborator -> 409');
    check(isErr(await req('POST', `/projects/${proj.id}/collaborators`, { body: { email: 'not-an-email', role: 'owner' } }), 400), 'bad email/role -> 400');
    check(isErr(await req('POST', `/projects/${proj.id}/collaborators`, { body: { email: 'reader@org-a.example', role: 'viewer', userId: 'user_admin' } }), 400), 'userId/email mismatch -> 400');
    r = await req('GET', `/projects/${proj.id}/collaborators`);
    check(r.status === 200 && r.body.count === 2 && r.body.collaborators.every((c) => ['userId', 'email', 'role', 'isOwner', 'grantedAt', 'grantedBy'].every((f) => f in c)), 'list collaborators', r.body);
    r = await req('PUT', `/projects/${proj.id}/collaborators/${invitedId}`, { body: { role: 'viewer' } });
    check(r.status === 200 && r.body.role === 'viewer', 'update collaborator role', r.body);
    check(isErr(await req('PUT', `/projects/${proj.id}/collaborators/user_admin`, { body: { role: 'viewer' } }), 409), "change owner's role -> 409");
    check(isErr(await req('PUT', `/projects/${proj.id}/collaborators/user_nobody`, { body: { role: 'viewer' } }), 404), 'unknown collaborator -> 404');
    check(isErr(await req('DELETE', `/projects/${proj.id}/collaborators/user_admin`), 409), 'remove owner -> 409');
    r = await req('DELETE', `/projects/${proj.id}/collaborators/${invitedId}`);
    check(r.status === 204 && r.text === '', 'remove collaborator 204');
    r = await req('GET', `/projects/${proj.id}`);
    check(r.body.sharedWith.length === 0 && r.body.collaborators.length === 1, 'collaborator gone');

    // private project visibility within org
    r = await req('POST', '/projects', { body: { name: 'secret', description: 'private one', visibility: 'private' } });
    const priv = r.body;
    check(isErr(await req('GET', `/projects/${priv.id}`, { key: READER }), 404), 'reader cannot see private project');
    check((await req('GET', '/projects', { key: READER })).body.count === 2, 'reader lists only org-visible projects');
    r = await req('POST', `/projects/${priv.id}/collaborators`, { body: { email: 'reader@org-a.example', role: 'viewer' } });
    check(r.status === 201 && r.body.userId === 'user_reader', 'add org member by email resolves user id', r.body);
    check((await req('GET', `/projects/${priv.id}`, { key: READER })).status === 200, 'reader sees private project after being added');
    r = await req('GET', `/projects/${priv.id}`);
    check(r.body.sharedWith.includes('user_reader'), 'sharedWith lists collaborator ids');

    // resources inside a private project inherit its visibility
    r = await req('POST', '/projects', { body: { name: 'secret2', description: 'private two', visibility: 'private' } });
    const priv2 = r.body;
    const pws = (await req('POST', '/workspaces', { body: { name: 'hidden-ws', description: 'x', environmentType: 'jupyter', projectId: priv2.id } })).body;
    const pvol = (await req('POST', '/volumes', { body: { projectId: priv2.id, label: 'hidden-vol', sizeGb: 1 } })).body;
    check(isErr(await req('GET', `/workspaces/${pws.id}`, { key: READER }), 404), 'reader cannot see ws in private project');
    check(isErr(await req('GET', `/volumes/${pvol.id}`, { key: READER }), 404), 'reader cannot see volume in private project');
    check(!(await req('GET', '/workspaces?limit=100', { key: READER })).body.workspaces.some((w) => w.id === pws.id), 'private ws not listed for reader');
    check(isErr(await req('GET', `/projects/${priv2.id}/workspaces`, { key: READER }), 404), 'private project workspaces 404 for reader');
    await req('POST', `/volumes/${pvol.id}/share`);
    check((await req('GET', `/volumes/${pvol.id}`, { key: READER })).status === 200, 'shared volume visible to org');
    check((await req('GET', '/volumes/shared', { key: READER })).body.volumes.some((v) => v.id === pvol.id), 'shared volume listed for reader');
    r = await req('HEAD', `/volumes/${pvol.id}`);
    check(r.status === 200 && r.text === '', 'HEAD works without body');
    await waitStatus(pws.id, 'running');
    await req('POST', `/workspaces/${pws.id}/stop`);
    check((await req('DELETE', `/workspaces/${pws.id}`)).status === 204, 'delete private ws');
    check((await req('DELETE', `/volumes/${pvol.id}`)).status === 204, 'delete private vol');
    check((await req('GET', '/volumes/shared', { key: READER })).body.count === 0, 'deleted shared volume gone');
    check((await req('DELETE', `/projects/${priv2.id}`)).status === 204, 'delete private project');

    // tenant isolation
    check(isErr(await req('GET', `/projects/${proj.id}`, { key: OTHER }), 404), 'other org cannot see project');
    check((await req('GET', '/projects', { key: OTHER })).body.count === 0, 'other org lists nothing');
    check(isErr(await req('PUT', `/projects/${proj.id}`, { key: OTHER, body: { name: 'hack' } }), 404), 'other org cannot update');
    check(isErr(await req('DELETE', `/projects/${proj.id}`, { key: OTHER }), 404), 'other org cannot delete');

    // ------------------------------------------------------------ volumes
    r = await req('POST', '/volumes', { body: { label: 'x', sizeGb: '50' } });
    check(isErr(r, 400) && r.body.details.some((d) => d.field === 'projectId') && r.body.details.some((d) => d.field === 'sizeGb'), 'volume validation', r.body);
    check(isErr(await req('POST', '/volumes', { body: { projectId: 'proj_nope', label: 'x', sizeGb: 1 } }), 400), 'unknown project in volume -> 400');
    check(isErr(await req('POST', '/volumes', { key: OTHER, body: { projectId: proj.id, label: 'x', sizeGb: 1 } }), 400), 'other org project in volume -> 400');
    check(isErr(await req('POST', '/volumes', { body: { projectId: proj.id, label: 'x', sizeGb: -1 } }), 400), 'negative size -> 400');
    check(isErr(await req('POST', '/volumes', { body: { projectId: proj.id, label: 'x', sizeGb: 1, mountPath: 'relative' } }), 400), 'relative mount path -> 400');
    check(isErr(await req('POST', '/volumes', { body: { projectId: proj.id, label: 'x', sizeGb: 1, mountPath: '/etc/x' } }), 400), 'system mount path -> 400');
    check(isErr(await req('POST', '/volumes', { body: { projectId: proj.id, label: 'x', sizeGb: 1, type: 'weird' } }), 400), 'bad volume type -> 400');
    r = await req('POST', '/volumes', { body: { project_id: proj.id, label: 'x', size_gb: 1 } });
    check(isErr(r, 400) && r.body.details.some((d) => d.field === 'project_id'), 'snake_case fields rejected', r.body);

    r = await req('POST', '/volumes', { body: { projectId: proj.id, label: 'training-data', sizeGb: 50.0, description: 'Training datasets for churn models', type: 'data', mountPath: '/data/training' } });
    check(r.status === 201 && r.body.id.startsWith('vol_'), 'create volume', r.body);
    const vol = r.body;
    const volumeFields = ['id', 'label', 'name', 'description', 'status', 'type', 'volumeType', 'sizeGb', 'mountPath', 'organizationId', 'owner', 'ownerId', 'projectId', 'isShared', 'shared', 'sharedWith', 'createdAt', 'updatedAt'];
    check(volumeFields.every((f) => f in vol), 'volume has every documented field', Object.keys(vol));
    check(vol.sizeGb === 50 && vol.mountPath === '/data/training' && vol.status === 'available' && vol.isShared === false && vol.shared === false, 'volume values', vol);
    r = await req('POST', '/volumes', { body: { projectId: proj.id, label: 'dup', sizeGb: 1, mountPath: '/data/training/' } });
    check(isErr(r, 409), 'duplicate mount path in project -> 409', r.body);
    r = await req('POST', '/volumes', { body: { projectId: proj.id, label: 'Model Store', sizeGb: 10, type: 'model' } });
    check(r.status === 201 && r.body.mountPath.startsWith('/mnt/model-store-'), 'default mount path', r.body);
    const vol2 = r.body;
    r = await req('GET', `/projects/${proj.id}`);
    check(r.body.defaultDataVolumeId === vol.id && r.body.attachedVolumeIds.length === 2, 'project attached volumes', r.body);
    r = await req('GET', `/projects/${proj.id}/volumes`);
    check(r.status === 200 && r.body.count === 2 && r.body.volumes.length === 2, 'project volumes');
    r = await req('GET', '/volumes?type=model');
    check(r.body.count === 1 && r.body.volumes[0].id === vol2.id, 'volume type filter');
    r = await req('GET', '/volumes?search=training');
    check(r.body.count === 1, 'volume search');
    r = await req('GET', `/volumes?projectId=${proj.id}&sort=sizeGb:asc`);
    check(r.body.count === 2 && r.body.volumes[0].id === vol2.id, 'volume project filter + sort');
    r = await req('PUT', `/volumes/${vol.id}`, { body: { sizeGb: 10 } });
    check(isErr(r, 400), 'shrinking volume -> 400');
    r = await req('PUT', `/volumes/${vol.id}`, { body: { sizeGb: 75.5, label: 'training-data-v2' } });
    check(r.status === 200 && r.body.sizeGb === 75.5 && r.body.label === 'training-data-v2', 'grow volume');
    check(isErr(await req('PUT', `/volumes/${vol.id}`, { body: { type: 'model' } }), 400), 'volume type read-only');
    check(isErr(await req('PUT', `/volumes/${vol.id}`, { body: { sharedWith: ['user_other'] } }), 400), 'sharedWith other-org user -> 400');
    r = await req('GET', '/volumes/shared');
    check(r.status === 200 && r.body.count === 0, 'no shared volumes yet');
    r = await req('POST', `/volumes/${vol.id}/share`);
    check(r.status === 200 && r.body.volumeId === vol.id, 'share volume', r.body);
    r = await req('GET', '/volumes/shared?search=training');
    check(r.body.count === 1 && r.body.volumes[0].isShared === true && r.body.volumes[0].shared === true, 'shared list', r.body);
    check((await req('GET', '/volumes/shared', { key: OTHER })).body.count === 0, 'shared volumes stay inside the org');
    r = await req('POST', `/volumes/${vol.id}/sync`);
    check(r.status === 200 && r.body.status === 'syncing', 'volume sync', r.body);
    check(isErr(await req('POST', `/volumes/${vol.id}/sync`), 409), 'sync while syncing -> 409');
    await sleep(700);
    check((await req('GET', `/volumes/${vol.id}`)).body.status === 'available', 'sync completes');
    check(isErr(await req('POST', `/volumes/${vol.id}/sync`, { key: READER }), 403), 'reader cannot sync');
    check(isErr(await req('GET', `/volumes/${vol.id}`, { key: OTHER }), 404), 'other org cannot see volume');

    // ------------------------------------------------------------ workspaces
    r = await req('POST', '/workspaces', { body: { name: 'x' } });
    check(isErr(r, 400) && r.body.details.some((d) => d.field === 'description') && r.body.details.some((d) => d.field === 'environmentType'), 'workspace required fields', r.body);
    check(isErr(await req('POST', '/workspaces', { body: { name: 'x', description: 'y', environmentType: 'emacs' } }), 400), 'bad environmentType');
    check(isErr(await req('POST', '/workspaces', { body: { name: 'x', description: 'y', environmentType: 'custom' } }), 400), 'custom needs image');
    check(isErr(await req('POST', '/workspaces', { body: { name: 'x', description: 'y', environmentType: 'jupyter', resources: { cpu: 'lots' } } }), 400), 'bad cpu');
    check(isErr(await req('POST', '/workspaces', { body: { name: 'x', description: 'y', environmentType: 'jupyter', resources: { memory: '16GB' } } }), 400), 'bad memory unit');
    check(isErr(await req('POST', '/workspaces', { body: { name: 'x', description: 'y', environmentType: 'jupyter', resources: { disk: '1Gi' } } }), 400), 'unknown resource key');
    check(isErr(await req('POST', '/workspaces', { body: { name: 'x', description: 'y', environmentType: 'jupyter', projectId: 'proj_nope' } }), 400), 'unknown projectId');
    check(isErr(await req('POST', '/workspaces', { key: READER, body: { name: 'x', description: 'y', environmentType: 'jupyter' } }), 403), 'reader cannot create ws');

    r = await req('POST', '/workspaces', { body: { name: 'Training Environment', description: 'GPU-enabled workspace for model training', environmentType: 'jupyter', image: 'strongly/jupyter-gpu:latest', resources: { cpu: '4', memory: '16Gi', gpu: '1', gpuType: 'nvidia-a10g', storage: '50Gi' }, projectId: proj.id } });
    check(r.status === 201 && r.body.workspaceId && r.body.workspaceId === r.body.id && r.body.status === 'pending', 'create workspace 201 {workspaceId,...}', r.body);
    const ws = r.body;
    const wsFields = ['id', 'name', 'description', 'status', 'environmentType', 'image', 'resources', 'organizationId', 'owner', 'ownerId', 'url', 'projectId', 'volumeIds', 'createdAt', 'updatedAt'];
    check(wsFields.every((f) => f in ws), 'workspace has every documented field', Object.keys(ws));
    check(ws.owner.id === 'user_admin' && ws.owner.name === 'Dev Admin' && ws.owner.email === 'admin@org-a.example', 'owner object');
    check(ws.volumeIds.length === 2 && ws.url === null, 'volumeIds from project; url null while pending', ws);
    r = await req('GET', `/workspaces/${ws.id}/status`);
    check(r.status === 200 && r.body.phase === 'Pending' && r.body.ready === false && Array.isArray(r.body.conditions), 'status pending', r.body);
    check(isErr(await req('GET', `/workspaces/${ws.id}/metrics`), 409), 'metrics while pending -> 409');
    check(isErr(await req('POST', `/workspaces/${ws.id}/start`), 409), 'start while pending -> 409');
    check(isErr(await req('DELETE', `/workspaces/${ws.id}`), 409), 'delete while pending -> 409');
    r = await waitStatus(ws.id, 'running');
    check(r.body.status === 'running' && r.body.url === `https://${ws.id.replace('_', '-')}.workspaces.strongly.ai`, 'becomes running with url', r.body);
    r = await req('GET', `/workspaces/${ws.id}/status`);
    check(r.body.phase === 'Running' && r.body.ready === true && r.body.message === 'Workspace is running and ready' && r.body.conditions.find((c) => c.type === 'Ready').status === 'True', 'status running', r.body);
    r = await req('GET', `/workspaces/${ws.id}/metrics`);
    check(r.status === 200 && ['cpuUsage', 'memoryUsage', 'gpuUsage', 'diskUsage'].every((f) => typeof r.body[f] === 'string') && /Gi$/.test(r.body.memoryUsage) && /%$/.test(r.body.gpuUsage), 'metrics', r.body);
    r = await req('GET', `/workspaces/${ws.id}/logs`);
    check(r.status === 200 && r.body.logType === 'pod' && r.body.workspaceId === ws.id && r.body.logs.includes('Jupyter server is running') && r.body.content === r.body.logs && Array.isArray(r.body.lines), 'pod logs', r.body);
    for (const t of ['build', 'deploy']) {
      r = await req('GET', `/workspaces/${ws.id}/logs?type=${t}`);
      check(r.status === 200 && r.body.logType === t && r.body.lines.length > 0, `${t} logs`, r.body);
    }
    check(isErr(await req('GET', `/workspaces/${ws.id}/logs?type=audit`), 400), 'bad log type -> 400');
    r = await req('PUT', `/workspaces/${ws.id}`, { body: { resources: { cpu: '8', memory: '32Gi', gpu: '2' } } });
    check(isErr(r, 409), 'resources change while running -> 409', r.body);
    r = await req('PUT', `/workspaces/${ws.id}`, { body: { name: 'Updated Training Environment', description: 'Updated description' } });
    check(r.status === 200 && r.body.name === 'Updated Training Environment', 'rename running ws');
    const wsFull = r.body;
    r = await req('PUT', `/workspaces/${ws.id}`, { body: wsFull });
    check(r.status === 200, 'GET-modify-PUT workspace round trip (unchanged resources while running ok)', r.body);
    r = await req('POST', `/workspaces/${ws.id}/sync`);
    check(r.status === 200 && r.body.message === 'Workspace sync initiated' && r.body.workspaceId === ws.id, 'ws sync', r.body);
    r = await req('POST', `/workspaces/${ws.id}/restart`);
    check(r.status === 200 && r.body.status === 'pending' && r.body.message === 'Workspace restarting', 'restart', r.body);
    await waitStatus(ws.id, 'running');
    r = await req('POST', `/workspaces/${ws.id}/stop`);
    check(r.status === 200 && r.body.status === 'stopped' && r.body.message === 'Workspace stopping', 'stop', r.body);
    check(isErr(await req('POST', `/workspaces/${ws.id}/stop`), 409), 'stop stopped -> 409');
    check(isErr(await req('POST', `/workspaces/${ws.id}/restart`), 409), 'restart stopped -> 409');
    check(isErr(await req('POST', `/workspaces/${ws.id}/sync`), 409), 'sync stopped -> 409');
    r = await req('GET', `/workspaces/${ws.id}/status`);
    check(r.body.phase === 'Stopped' && r.body.ready === false, 'status stopped');
    r = await req('PUT', `/workspaces/${ws.id}`, { body: { resources: { cpu: '8', memory: '32Gi', gpu: '2' } } });
    check(r.status === 200 && r.body.resources.cpu === '8' && r.body.resources.gpu === '2' && r.body.resources.gpuType === 'nvidia-a10g' && r.body.resources.storage === '50Gi', 'partial resources merged when stopped', r.body);
    r = await req('PUT', `/workspaces/${ws.id}`, { body: { resources: { gpu: 0 } } });
    check(r.status === 200 && r.body.resources.gpu === '0' && r.body.resources.gpuType === null, 'gpu 0 clears gpuType', r.body);
    r = await req('POST', `/workspaces/${ws.id}/start`);
    check(r.status === 200 && r.body.status === 'pending' && r.body.message === 'Workspace starting', 'start', r.body);
    await waitStatus(ws.id, 'running');
    r = await req('GET', `/workspaces/${ws.id}/metrics`);
    check(r.body.gpuUsage === null, 'no gpu -> gpuUsage null', r.body);

    r = await req('POST', '/workspaces', { body: { name: 'vscode-env', description: 'standalone', environmentType: 'vscode' } });
    const ws2 = r.body;
    check(r.status === 201 && ws2.image === 'strongly/vscode:latest' && ws2.projectId === null && ws2.volumeIds.length === 0 && ws2.resources.cpu === '2', 'defaults for standalone ws', ws2);
    r = await req('GET', '/workspaces?status=pending');
    check(r.body.workspaces.some((w) => w.id === ws2.id), 'status filter');
    r = await req('GET', `/workspaces?projectId=${proj.id}`);
    check(r.body.count === 1 && r.body.workspaces[0].id === ws.id, 'projectId filter');
    const summary = r.body.workspaces[0];
    check(!('resources' in summary) && 'url' in summary && 'ownerId' in summary, 'list items are summaries', summary);
    r = await req('GET', '/workspaces?search=vscode');
    check(r.body.count === 1, 'ws search');
    check(isErr(await req('GET', '/workspaces?status=sleeping'), 400), 'bad ws status filter');
    r = await req('GET', `/projects/${proj.id}/workspaces`);
    check(r.status === 200 && r.body.count === 1, 'project workspaces', r.body);
    check(isErr(await req('GET', `/workspaces/${ws.id}`, { key: OTHER }), 404), 'other org cannot see ws');
    check((await req('GET', `/workspaces/${ws.id}`, { key: READER })).status === 200, 'reader can read org ws');
    check(isErr(await req('POST', `/workspaces/${ws.id}/stop`, { key: READER }), 403), 'reader cannot stop ws');
    await waitStatus(ws2.id, 'running');
    check(isErr(await req('POST', `/workspaces/${ws2.id}/sync`), 409), 'sync without volume -> 409');

    // stats / activity / archive
    r = await req('GET', `/projects/${proj.id}/stats`);
    check(r.status === 200 && r.body.workspaceCount === 1 && r.body.activeWorkspaces === 1 && r.body.volumeCount === 2 && r.body.totalStorageGb === 85.5, 'stats', r.body);
    r = await req('GET', `/projects/${proj.id}/activity?limit=5`);
    check(r.status === 200 && r.body.activity.length === 5 && r.body.count > 5 && r.body.activity.every((e) => e.action && e.createdAt), 'activity', r.body);
    check(r.body.activity[0].action === 'workspace.started', 'activity newest first', r.body.activity[0]);
    check(isErr(await req('POST', `/projects/${proj.id}/archive`), 409), 'archive with running ws -> 409');
    check(isErr(await req('DELETE', `/volumes/${vol.id}`), 409), 'delete mounted volume -> 409');
    check(isErr(await req('POST', `/projects/${proj.id}/restore`), 409), 'restore active -> 409');
    await req('POST', `/workspaces/${ws.id}/stop`);
    r = await req('POST', `/projects/${proj.id}/archive`);
    check(r.status === 200 && r.body.status === 'archived', 'archive', r.body);
    r = await req('GET', `/projects/${proj.id}`);
    check(r.body.archived === true && r.body.status === 'archived', 'archived flag');
    check(isErr(await req('POST', `/workspaces/${ws.id}/start`), 409), 'start in archived project -> 409');
    check(isErr(await req('PUT', `/projects/${proj.id}`, { body: { name: 'z' } }), 409), 'update archived -> 409');
    check((await req('GET', '/projects?status=archived')).body.count === 1, 'status=archived filter');
    r = await req('POST', `/projects/${proj.id}/restore`);
    check(r.status === 200 && r.body.status === 'active', 'restore');
    check(isErr(await req('DELETE', `/projects/${proj.id}`), 409), 'delete non-empty project -> 409');

    // HEAD and trailing slash
    r = await req('GET', '/projects/');
    check(r.status === 200, 'trailing slash tolerated');

    // ------------------------------------------------------------ restart (SIGTERM)
    const before = {
      projects: (await req('GET', '/projects?limit=100')).body,
      workspaces: (await req('GET', '/workspaces?limit=100')).body,
      volumes: (await req('GET', '/volumes?limit=100')).body,
    };
    // a workspace still provisioning at shutdown: restart with a long delay
    await stopServer(server);
    server = await startServer(dataDir, PORT, 3);
    r = await req('POST', '/workspaces', { body: { name: 'slow', description: 'slow provisioning', environmentType: 'rstudio' } });
    const slow = r.body;
    check(r.status === 201, 'create slow ws');
    const code = await stopServer(server);
    check(code === 0, 'SIGTERM exit code 0', code);
    server = await startServer(dataDir, PORT, 3);
    const after = {
      projects: (await req('GET', '/projects?limit=100')).body,
      workspaces: (await req('GET', '/workspaces?limit=100')).body,
      volumes: (await req('GET', '/volumes?limit=100')).body,
    };
    check(JSON.stringify(after.projects) === JSON.stringify(before.projects), 'projects identical after restart');
    check(JSON.stringify(after.volumes) === JSON.stringify(before.volumes), 'volumes identical after restart');
    check(after.workspaces.count === before.workspaces.count + 1, 'workspaces survive restart');
    r = await req('GET', `/workspaces/${ws2.id}`);
    check(r.body.status === 'running', 'running ws still running after restart', r.body.status);
    r = await req('GET', `/workspaces/${slow.id}`);
    check(r.body.status === 'pending', 'provisioning ws still provisioning after restart', r.body.status);
    r = await waitStatus(slow.id, 'running', 6000);
    check(r.body.status === 'running', 'provisioning ws completes after restart', r.body.status);
    r = await req('GET', `/projects/${proj.id}/activity?limit=100`);
    check(r.body.count > 10, 'activity persisted');

    // ------------------------------------------------------------ concurrency
    const N = 200;
    const creates = await Promise.all(
      Array.from({ length: N }, (_, i) => req('POST', '/projects', { body: { name: `burst-${i}`, description: 'concurrent', tags: ['burst'] } })),
    );
    check(creates.every((x) => x.status === 201), 'burst creates all 201', creates.find((x) => x.status !== 201));
    const ids = new Set(creates.map((x) => x.body.id));
    check(ids.size === N, 'burst ids unique');
    r = await req('GET', '/projects?tag=burst&limit=1');
    check(r.body.count === N, 'burst count', r.body.count);

    // same-resource races: exactly one winner
    await req('POST', `/workspaces/${ws2.id}/stop`);
    const starts = await Promise.all(Array.from({ length: 30 }, () => req('POST', `/workspaces/${ws2.id}/start`)));
    check(starts.filter((x) => x.status === 200).length === 1 && starts.filter((x) => x.status === 409).length === 29, 'concurrent starts: one 200, rest 409', starts.map((x) => x.status));
    const adds = await Promise.all(Array.from({ length: 20 }, () => req('POST', `/projects/${proj2.id}/collaborators`, { body: { email: 'race@company.com', role: 'viewer' } })));
    check(adds.filter((x) => x.status === 201).length === 1, 'concurrent collaborator adds: one 201', adds.map((x) => x.status));
    const mounts = await Promise.all(Array.from({ length: 20 }, (_, i) => req('POST', '/volumes', { body: { projectId: proj2.id, label: `m${i}`, sizeGb: 1, mountPath: '/data/same' } })));
    check(mounts.filter((x) => x.status === 201).length === 1, 'concurrent same mount path: one 201', mounts.map((x) => x.status));
    // mixed reads and writes
    const mixed = await Promise.all(
      Array.from({ length: 300 }, (_, i) => {
        if (i % 3 === 0) return req('PUT', `/projects/${proj2.id}`, { body: { description: `d${i}` } });
        if (i % 3 === 1) return req('GET', '/projects?limit=5', { key: READER });
        return req('GET', `/projects/${proj2.id}/activity?limit=3`);
      }),
    );
    check(mixed.every((x) => x.status === 200), 'mixed burst all 200', mixed.filter((x) => x.status !== 200).map((x) => x.status));

    // burst then immediate SIGTERM: every acknowledged write must survive
    const pending = Array.from({ length: 100 }, (_, i) => req('POST', '/projects', { body: { name: `late-${i}`, description: 'x', tags: ['late'] } }).catch(() => null));
    await sleep(15);
    const stopping = stopServer(server);
    const results = await Promise.all(pending);
    await stopping;
    const acked = results.filter((x) => x && x.status === 201).map((x) => x.body.id);
    server = await startServer(dataDir, PORT, 0.5);
    r = await req('GET', '/projects?tag=late&limit=100');
    const got = new Set(r.body.projects.map((p) => p.id));
    console.log(`SIGTERM mid-burst: ${acked.length} acknowledged, ${got.size} present after restart, ${results.filter((x) => !x).length} connection errors, statuses ${JSON.stringify([...new Set(results.map((x) => x && x.status))])}`);
    check(acked.every((id) => got.has(id)), `acknowledged writes survive SIGTERM (${acked.length} acked, ${got.size} present)`);

    // SIGKILL: writes acknowledged before the kill are on disk
    const killBatch = await Promise.all(Array.from({ length: 50 }, (_, i) => req('POST', '/projects', { body: { name: `kill-${i}`, description: 'x', tags: ['kill'] } })));
    check(killBatch.every((x) => x.status === 201), 'kill batch created');
    await stopServer(server, 'SIGKILL');
    server = await startServer(dataDir, PORT, 0.5);
    r = await req('GET', '/projects?tag=kill&limit=100');
    check(r.body.count === 50, 'acknowledged writes survive SIGKILL', r.body.count);

    // cleanup path: delete ws, volumes, project
    await req('POST', `/workspaces/${ws.id}/stop`).catch(() => null);
    check((await req('DELETE', `/workspaces/${ws.id}`)).status === 204, 'delete stopped ws');
    check(isErr(await req('GET', `/workspaces/${ws.id}`), 404), 'deleted ws 404');
    check((await req('DELETE', `/volumes/${vol.id}`)).status === 204, 'delete volume');
    r = await req('GET', `/projects/${proj.id}`);
    check(r.body.defaultDataVolumeId === null && r.body.attachedVolumeIds.length === 1, 'default volume cleared', r.body);
    check((await req('DELETE', `/volumes/${vol2.id}`)).status === 204, 'delete volume 2');
    check((await req('DELETE', `/projects/${proj.id}`)).status === 204, 'delete empty project');
    check(isErr(await req('GET', `/projects/${proj.id}`), 404), 'deleted project 404');

    // ------------------------------------------------------------ misc robustness
    r = await req('POST', '/projects', { raw: 'x'.repeat(2 * 1024 * 1024), headers: { 'Content-Type': 'application/json' } });
    check(r.status === 413, 'oversized body -> 413', r.status);
    r = await req('POST', '/projects', { raw: Buffer.from([0xff, 0xfe, 0x00]), headers: { 'Content-Type': 'application/json' } });
    check(isErr(r, 400), 'invalid UTF-8 -> 400');
    r = await req('GET', '/projects/%E0%A4%A');
    check(r.status === 404 || r.status === 400, 'bad percent-encoding handled', r.status);
    r = await req('POST', '/projects', { body: { name: 'p', description: 'd', __proto__: { polluted: true } } });
    r = await req('POST', '/projects', { raw: '{"name":"p","description":"d","__proto__":{"x":1}}', headers: { 'Content-Type': 'application/json' } });
    check(isErr(r, 400), '__proto__ field rejected', r.body);
  } finally {
    await stopServer(server);
    agent.destroy();
  }
  console.log(`\n${passed} passed, ${failed} failed`);
  if (failed) console.log(`data directory kept for inspection: ${dataDir}`);
  else fs.rmSync(dataDir, { recursive: true, force: true });
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
