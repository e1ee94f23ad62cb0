'use strict';
// Entry point: argument parsing, HTTP server, routing, error handling and
// graceful shutdown.

const http = require('node:http');
const { Store } = require('./store');
const { Model } = require('./model');
const { authenticate } = require('./auth');
const { ApiError, errors } = require('./util');

const MAX_BODY_BYTES = 1024 * 1024;

// ------------------------------------------------------------------ arguments

function parseArgs(argv) {
  const opts = { host: '127.0.0.1', port: null, data: null, provisionDelay: 1 };
  const usage = 'usage: serve.sh --host HOST --port PORT --data DIR [--provision-delay SECONDS]';
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    let val;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) {
      val = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    const next = () => {
      if (val !== undefined) return val;
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value\n${usage}`);
      return argv[++i];
    };
    switch (a) {
      case '--host': opts.host = next(); break;
      case '--port': opts.port = next(); break;
      case '--data': opts.data = next(); break;
      case '--provision-delay': opts.provisionDelay = next(); break;
      case '-h':
      case '--help':
        process.stdout.write(`${usage}\n`);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument: ${a}\n${usage}`);
    }
  }
  if (!opts.port || !/^\d+$/.test(opts.port) || +opts.port < 1 || +opts.port > 65535) throw new Error(`--port must be 1..65535\n${usage}`);
  if (!opts.data) throw new Error(`--data is required\n${usage}`);
  const d = Number(opts.provisionDelay);
  if (!Number.isFinite(d) || d < 0) throw new Error('--provision-delay must be a non-negative number of seconds');
  opts.port = +opts.port;
  opts.provisionDelay = d;
  return opts;
}

// ------------------------------------------------------------------ router

class Router {
  constructor() {
    this.routes = [];
  }

  add(method, pattern, scopes, handler) {
    this.routes.push({ method, parts: pattern.split('/').filter(Boolean), scopes, handler });
  }

  // The most specific matching pattern (most literal segments) decides:
  // GET /volumes/shared is the shared-volumes list, and PUT /volumes/shared is
  // a 405 there, not an attempt to update a volume whose id is "shared".
  match(method, pathname) {
    const segs = pathname.split('/').filter(Boolean);
    const m = method === 'HEAD' ? 'GET' : method;
    let bestLiterals = -1;
    let group = [];
    for (const r of this.routes) {
      if (r.parts.length !== segs.length) continue;
      const params = {};
      let ok = true;
      let literals = 0;
      for (let i = 0; i < segs.length; i++) {
        const p = r.parts[i];
        if (p.startsWith(':')) {
          let v;
          try {
            v = decodeURIComponent(segs[i]);
          } catch (_) {
            ok = false;
            break;
          }
          params[p.slice(1)] = v;
        } else if (p === segs[i]) {
          literals++;
        } else {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      if (literals > bestLiterals) {
        bestLiterals = literals;
        group = [];
      }
      if (literals === bestLiterals) group.push({ route: r, params });
    }
    const hit = group.find((g) => g.route.method === m);
    if (hit) return hit;
    const allowed = [...new Set(group.map((g) => g.route.method))];
    if (allowed.includes('GET')) allowed.push('HEAD');
    return { allowed };
  }
}

// ------------------------------------------------------------------ http helpers

function send(res, status, body, headers = {}) {
  if (res.headersSent) return;
  const h = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', ...headers };
  if (status === 204 || body === undefined) {
    res.writeHead(status, h);
    res.end();
    return;
  }
  const data = JSON.stringify(body);
  h['Content-Type'] = 'application/json; charset=utf-8';
  h['Content-Length'] = Buffer.byteLength(data);
  res.writeHead(status, h);
  res.end(res.req.method === 'HEAD' ? undefined : data);
}

function sendError(res, err) {
  const body = { error: err.code, message: err.message };
  if (err.details !== undefined) body.details = err.details;
  const headers = {};
  if (err.closeConnection) headers.Connection = 'close';
  if (err.status === 401) headers['WWW-Authenticate'] = 'X-API-Key';
  if (err.status === 405 && err.allow) headers.Allow = err.allow.join(', ');
  send(res, err.status, body, headers);
}

// Reads the body up to MAX_BODY_BYTES. A larger body is drained and
// discarded (up to DRAIN_LIMIT, so the client can read the 413 instead of
// seeing a connection reset), then answered with 413.
const DRAIN_LIMIT = 32 * 1024 * 1024;
function readBody(req) {
  return new Promise((resolve, reject) => {
    const declared = parseInt(req.headers['content-length'] || '0', 10);
    if (declared > DRAIN_LIMIT) {
      const e = errors.tooLarge(`Request body exceeds ${MAX_BODY_BYTES} bytes`);
      e.closeConnection = true;
      reject(e);
      return;
    }
    const chunks = [];
    let size = 0;
    let settled = false;
    req.on('data', (chunk) => {
      if (settled) return;
      size += chunk.length;
      if (size > DRAIN_LIMIT) {
        settled = true;
        const e = errors.tooLarge(`Request body exceeds ${MAX_BODY_BYTES} bytes`);
        e.closeConnection = true;
        reject(e);
        return;
      }
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (settled) return;
      settled = true;
      if (size > MAX_BODY_BYTES) reject(errors.tooLarge(`Request body exceeds ${MAX_BODY_BYTES} bytes`));
      else resolve(Buffer.concat(chunks));
    });
    req.on('error', (e) => {
      if (!settled) {
        settled = true;
        reject(e);
      }
    });
  });
}

function parseJsonBody(buf) {
  if (buf.length === 0) return undefined;
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch (_) {
    throw errors.invalidJson('The request body is not valid UTF-8');
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw errors.invalidJson(`The request body is not valid JSON: ${e.message}`);
  }
}

// ------------------------------------------------------------------ main

function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${e.message}\n`);
    process.exit(2);
  }

  const store = new Store(opts.data);
  try {
    store.open();
  } catch (e) {
    process.stderr.write(`cannot open data directory: ${e.message}\n`);
    process.exit(1);
  }
  const model = new Model(store, { provisionDelayMs: Math.round(opts.provisionDelay * 1000) });
  model.resume();

  const router = new Router();
  const ws = require('./workspaces').register(router, model);
  require('./projects').register(router, model, ws);
  require('./volumes').register(router, model);

  let shuttingDown = false;
  let inflight = 0;

  async function handle(req, res) {
    let url;
    try {
      url = new URL(req.url, 'http://localhost');
    } catch (_) {
      throw new ApiError(400, 'bad_request', 'Malformed request URL');
    }
    let pathname = url.pathname;
    if (pathname.length > 1) pathname = pathname.replace(/\/+$/, '');
    if (!pathname.startsWith('/api/v1/') && pathname !== '/api/v1') {
      throw errors.notFound(`No route for ${req.method} ${url.pathname}`);
    }
    const user = authenticate(req.headers['x-api-key']);
    if (!user) {
      throw errors.unauthorized(req.headers['x-api-key'] ? 'The X-API-Key header is not a valid API key' : 'Authentication required: send an API key in the X-API-Key header');
    }
    const m = router.match(req.method, pathname);
    if (!m.route) {
      if (m.allowed.length) {
        const e = errors.methodNotAllowed(m.allowed);
        e.allow = m.allowed;
        throw e;
      }
      throw errors.notFound(`No route for ${req.method} ${url.pathname}`);
    }
    const missing = m.route.scopes.filter((s) => !user.scopes.has(s));
    if (missing.length) throw errors.insufficientScope(missing);

    const raw = await readBody(req);
    const body = parseJsonBody(raw);
    const now = Date.now();
    if (model.reconcile(now)) store.commit().catch(() => {});
    const result = await m.route.handler({ user, params: m.params, query: url.searchParams, body, now, req });
    await store.durable();
    const headers = { ...(result.headers || {}) };
    if (shuttingDown) headers.Connection = 'close';
    send(res, result.status, result.body, headers);
  }

  const server = http.createServer((req, res) => {
    inflight++;
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        inflight--;
      }
    };
    res.on('finish', finish);
    res.on('close', finish);
    handle(req, res).catch((err) => {
      if (err instanceof ApiError) {
        sendError(res, err);
      } else if (err && err.code && typeof err.code === 'string' && /^E[A-Z]+$/.test(err.code) && err.syscall) {
        // Storage failure: the write was not acknowledged.
        process.stderr.write(`request failed on storage: ${err.message}\n`);
        sendError(res, new ApiError(503, 'storage_unavailable', 'The change could not be saved; retry later'));
      } else {
        process.stderr.write(`internal error: ${err && err.stack ? err.stack : err}\n`);
        sendError(res, new ApiError(500, 'internal_error', 'Internal server error'));
      }
      // A body we stopped reading must not be parsed as the next request.
      if (err && err.closeConnection) res.on('finish', () => req.socket.destroy());
    });
  });
  server.keepAliveTimeout = 5000;
  server.headersTimeout = 20000;
  server.requestTimeout = 30000;
  server.on('clientError', (err, socket) => {
    if (socket.writable && !socket.destroyed) {
      const body = JSON.stringify({ error: 'bad_request', message: 'Malformed HTTP request' });
      socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    } else {
      socket.destroy();
    }
  });

  server.on('error', (e) => {
    process.stderr.write(`server error: ${e.message}\n`);
    store.releaseLock();
    process.exit(1);
  });

  server.listen(opts.port, opts.host, () => {
    process.stdout.write(`listening on http://${opts.host}:${opts.port} (data: ${store.dir}, provision delay: ${opts.provisionDelay}s)\n`);
  });

  async function shutdown(sig) {
    if (shuttingDown) return;
    shuttingDown = true;
    process.stdout.write(`${sig} received, shutting down\n`);
    server.close();
    server.closeIdleConnections();
    const deadline = Date.now() + 10000;
    // Let in-flight requests finish (their writes are awaited before answering).
    while (inflight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    model.stopTimers();
    let code = 0;
    try {
      await store.flush();
    } catch (e) {
      process.stderr.write(`final flush failed: ${e.message}\n`);
      code = 1;
    }
    server.closeAllConnections();
    store.releaseLock();
    process.exit(code);
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main();
