'use strict';
// Bad-input fuzz: sends malformed / mistyped bodies and query strings to every
// route and checks that every answer is < 500 with a JSON body (4xx answers
// must carry {"error", "message"}). Usage: node test/fuzz.js

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const http = require('node:http');

const ROOT = path.resolve(__dirname, '..');

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function request(port, method, p, raw, key = 'strongly-dev-admin') {
  return new Promise((resolve, reject) => {
    const headers = { 'X-API-Key': key };
    if (raw !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = Buffer.byteLength(raw);
    }
    const r = http.request({ host: '127.0.0.1', port, method, path: p, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }));
    });
    r.on('error', reject);
    if (raw !== undefined) r.write(raw);
    r.end();
  });
}

async function main() {
  fs.mkdirSync(path.join(ROOT, 'tmp'), { recursive: true });
  const dataDir = fs.mkdtempSync(path.join(ROOT, 'tmp', 'fuzz-'));
  const port = await freePort();
  const child = spawn(path.join(ROOT, 'serve.sh'), ['--host', '127.0.0.1', '--port', String(port), '--data', dataDir, '--provision-delay', '0.2'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((r) => child.stdout.on('data', (d) => String(d).includes('listening') && r()));

  // Real ids so that handlers get past their 404s.
  const j = async (m, p, b) => JSON.parse((await request(port, m, `/api/v1${p}`, b && JSON.stringify(b))).text);
  const proj = await j('POST', '/projects', { name: 'p', description: 'd' });
  const vol = await j('POST', '/volumes', { projectId: proj.id, label: 'v', sizeGb: 1 });
  const ws = await j('POST', '/workspaces', { name: 'w', description: 'd', environmentType: 'jupyter', projectId: proj.id });

  const routes = [
    ['GET', '/workspaces'], ['POST', '/workspaces'], ['GET', `/workspaces/${ws.id}`], ['PUT', `/workspaces/${ws.id}`],
    ['DELETE', `/workspaces/${ws.id}`], ['POST', `/workspaces/${ws.id}/start`], ['POST', `/workspaces/${ws.id}/stop`],
    ['POST', `/workspaces/${ws.id}/restart`], ['GET', `/workspaces/${ws.id}/status`], ['GET', `/workspaces/${ws.id}/metrics`],
    ['GET', `/workspaces/${ws.id}/logs`], ['POST', `/workspaces/${ws.id}/sync`],
    ['GET', '/projects'], ['POST', '/projects'], ['GET', `/projects/${proj.id}`], ['PUT', `/projects/${proj.id}`],
    ['POST', `/projects/${proj.id}/archive`], ['POST', `/projects/${proj.id}/restore`], ['GET', `/projects/${proj.id}/stats`],
    ['GET', `/projects/${proj.id}/activity`], ['GET', `/projects/${proj.id}/collaborators`], ['POST', `/projects/${proj.id}/collaborators`],
    ['PUT', `/projects/${proj.id}/collaborators/user_admin`], ['DELETE', `/projects/${proj.id}/collaborators/user_x`],
    ['GET', `/projects/${proj.id}/volumes`], ['GET', `/projects/${proj.id}/workspaces`],
    ['GET', '/volumes'], ['POST', '/volumes'], ['GET', '/volumes/shared'], ['GET', `/volumes/${vol.id}`], ['PUT', `/volumes/${vol.id}`],
    ['POST', `/volumes/${vol.id}/sync`], ['POST', `/volumes/${vol.id}/share`],
  ];
  const fields = ['name', 'description', 'environmentType', 'image', 'resources', 'projectId', 'category', 'visibility', 'tags', 'email', 'role', 'userId',
    'label', 'sizeGb', 'type', 'mountPath', 'sharedWith', 'isShared', 'shared', 'defaultDataVolumeId', 'status', 'id', '__proto__', 'constructor'];
  const values = [null, true, 0, -1, 1e308, 'x', '', ' ', 'a'.repeat(10000), [], [1], ['a', null], {}, { a: 1 }, { cpu: {} }, { gpu: -1 }, { memory: 5 }, '../../etc', '/proc/x', 'jupyter', 'private', 'editor', 'a@b.co'];
  const bodies = ['', 'null', '1', '"s"', '[]', '{', '{"a":', '\u0000', '{}', JSON.stringify({ nested: { deep: Array(50).fill({}) } }), '['.repeat(5000) + ']'.repeat(5000)];
  let rnd = 12345;
  const rand = (n) => {
    rnd = (rnd * 1103515245 + 12345) & 0x7fffffff;
    return rnd % n;
  };
  for (let i = 0; i < 400; i++) {
    const o = {};
    const k = 1 + rand(4);
    for (let t = 0; t < k; t++) o[fields[rand(fields.length)]] = values[rand(values.length)];
    bodies.push(JSON.stringify(o));
  }
  const queries = ['', '?limit=-1', '?limit=1.5', '?offset=x', '?sort=name:sideways', '?sort=', '?status=weird', '?type=nope', '?search=%FF', '?limit=1&limit=2', '?x=1', '?type=build', '?type=zzz', '?search=' + 'a'.repeat(5000)];

  let bad = 0;
  let total = 0;
  const statuses = {};
  for (const [m, p] of routes) {
    for (const q of queries) {
      const r = await request(port, m, `/api/v1${p}${q}`, m === 'GET' || m === 'DELETE' ? undefined : '{}');
      total++;
      statuses[r.status] = (statuses[r.status] || 0) + 1;
      if (!ok(r)) bad++, console.log('BAD', m, p + q, r.status, r.text.slice(0, 200));
    }
    if (m === 'GET' || m === 'DELETE') continue;
    for (const b of bodies) {
      const r = await request(port, m, `/api/v1${p}`, b);
      total++;
      statuses[r.status] = (statuses[r.status] || 0) + 1;
      if (!ok(r)) bad++, console.log('BAD', m, p, b.slice(0, 100), r.status, r.text.slice(0, 200));
    }
  }
  function ok(r) {
    if (r.status >= 500) return false;
    if (r.status === 204) return r.text === '';
    try {
      const b = JSON.parse(r.text);
      if (r.status >= 400) return typeof b.error === 'string' && typeof b.message === 'string';
      return true;
    } catch (_) {
      return false;
    }
  }
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  console.log(`${total} requests, ${bad} bad; statuses ${JSON.stringify(statuses)}`);
  if (!bad) fs.rmSync(dataDir, { recursive: true, force: true });
  process.exit(bad ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
