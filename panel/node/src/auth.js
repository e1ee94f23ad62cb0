'use strict';
// Built-in API keys and the user directory (a real deployment would ask its
// identity service). Keys are compared via SHA-256 digests with
// crypto.timingSafeEqual so that the comparison time does not leak key bytes.

const crypto = require('node:crypto');

const ALL_SCOPES = [
  'workspaces:read',
  'workspaces:write',
  'projects:read',
  'projects:write',
  'volumes:read',
  'volumes:write',
];

const USERS = [
  { id: 'user_admin', name: 'Dev Admin', email: 'admin@org-a.example', organizationId: 'org_a' },
  { id: 'user_reader', name: 'Dev Reader', email: 'reader@org-a.example', organizationId: 'org_a' },
  { id: 'user_other', name: 'Other Admin', email: 'admin@org-b.example', organizationId: 'org_b' },
];

const KEYS = [
  { key: 'strongly-dev-admin', userId: 'user_admin', scopes: ALL_SCOPES },
  { key: 'strongly-dev-reader', userId: 'user_reader', scopes: ALL_SCOPES.filter((s) => s.endsWith(':read')) },
  { key: 'strongly-dev-other', userId: 'user_other', scopes: ALL_SCOPES },
];

const digest = (s) => crypto.createHash('sha256').update(s, 'utf8').digest();
const KEY_DIGESTS = KEYS.map((k) => ({ ...k, digest: digest(k.key) }));

function authenticate(headerValue) {
  if (typeof headerValue !== 'string' || headerValue.length === 0) return null;
  const d = digest(headerValue);
  let found = null;
  for (const k of KEY_DIGESTS) {
    if (crypto.timingSafeEqual(d, k.digest)) found = k;
  }
  if (!found) return null;
  const user = USERS.find((u) => u.id === found.userId);
  return { ...user, scopes: new Set(found.scopes) };
}

function findUserById(orgId, userId) {
  return USERS.find((u) => u.organizationId === orgId && u.id === userId) || null;
}

function findUserByEmail(orgId, email) {
  const e = email.toLowerCase();
  return USERS.find((u) => u.organizationId === orgId && u.email.toLowerCase() === e) || null;
}

module.exports = { authenticate, findUserById, findUserByEmail, ALL_SCOPES };
