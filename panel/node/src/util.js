'use strict';
// Small shared helpers: errors, ids, timestamps, equality.

const crypto = require('node:crypto');

class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

const errors = {
  validation: (message, details) => new ApiError(400, 'validation_error', message, details),
  invalidQuery: (message, details) => new ApiError(400, 'invalid_query_parameter', message, details),
  invalidJson: (message) => new ApiError(400, 'invalid_json', message),
  unauthorized: (message) => new ApiError(401, 'unauthorized', message),
  insufficientScope: (scopes) =>
    new ApiError(403, 'insufficient_scope', `This API key lacks the required scope: ${scopes.join(', ')}`, { requiredScopes: scopes }),
  forbidden: (message) => new ApiError(403, 'forbidden', message),
  notFound: (message) => new ApiError(404, 'not_found', message),
  methodNotAllowed: (allowed) => new ApiError(405, 'method_not_allowed', `Method not allowed. Allowed: ${allowed.join(', ')}`),
  conflict: (message, details) => new ApiError(409, 'conflict', message, details),
  tooLarge: (message) => new ApiError(413, 'payload_too_large', message),
};

// Timestamps on the wire use the documents' format: second precision, UTC, "Z".
function iso(ms) {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
function randomToken(len) {
  const bytes = crypto.randomBytes(len * 2);
  let out = '';
  for (let i = 0; i < bytes.length && out.length < len; i++) {
    // 252 = 7 * 36: rejection sampling keeps the distribution uniform.
    if (bytes[i] < 252) out += ID_ALPHABET[bytes[i] % 36];
  }
  while (out.length < len) out += ID_ALPHABET[crypto.randomInt(36)];
  return out;
}

// prefix_xxxxxxxxxxxx, unique within the given Map.
function newId(prefix, map) {
  for (;;) {
    const id = `${prefix}_${randomToken(12)}`;
    if (!map || !map.has(id)) return id;
  }
}

function deepEqual(a, b) {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!deepEqual(a[k], b[k])) return false;
  }
  return true;
}

function isPlainObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function slugify(s) {
  const slug = String(s)
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/g, '');
  return slug || 'volume';
}

// Deterministic pseudo-random number in [0,1) from a string seed.
function hashUnit(seed) {
  const h = crypto.createHash('sha256').update(seed).digest();
  return h.readUInt32BE(0) / 0x100000000;
}

module.exports = { ApiError, errors, iso, newId, deepEqual, isPlainObject, slugify, hashUnit };
