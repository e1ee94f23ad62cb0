'use strict';
// Input validation: request bodies and query strings.
// Every problem is collected into `details` ([{field, message}]) and answered
// with one 400, so a client sees all its mistakes at once.

const { errors, deepEqual, isPlainObject } = require('./util');

class Checker {
  constructor(body) {
    this.body = body;
    this.details = [];
  }

  fail(field, message) {
    this.details.push({ field, message });
  }

  has(key) {
    return Object.prototype.hasOwnProperty.call(this.body, key);
  }

  // Reject fields that are neither writable nor (unchanged) read-only ones.
  // `current` is the resource's public representation on update (null on
  // create): a read-only field sent back with its current value is accepted
  // and ignored, so GET-modify-PUT round trips work.
  keys(writable, readOnly, current) {
    for (const k of Object.keys(this.body)) {
      if (writable.includes(k)) continue;
      if (readOnly.includes(k)) {
        if (current && deepEqual(current[k], this.body[k])) continue;
        this.fail(k, current ? 'is read-only and cannot be changed' : 'is read-only and cannot be set');
      } else {
        this.fail(k, 'is not a recognized field');
      }
    }
  }

  // Returns the value or undefined (absent / invalid).
  string(key, { required = false, nonBlank = false, max = 1000, nullable = false, trim = false, pattern, patternMsg } = {}) {
    if (!this.has(key)) {
      if (required) this.fail(key, 'is required');
      return undefined;
    }
    let v = this.body[key];
    if (v === null && nullable) return null;
    if (typeof v !== 'string') {
      this.fail(key, nullable ? 'must be a string or null' : 'must be a string');
      return undefined;
    }
    if (trim) v = v.trim();
    if (nonBlank && v.trim().length === 0) {
      this.fail(key, 'must not be empty');
      return undefined;
    }
    if (v.length > max) {
      this.fail(key, `must be at most ${max} characters`);
      return undefined;
    }
    if (pattern && !pattern.test(v)) {
      this.fail(key, patternMsg || 'has an invalid format');
      return undefined;
    }
    return v;
  }

  enumOf(key, values, { required = false } = {}) {
    if (!this.has(key)) {
      if (required) this.fail(key, 'is required');
      return undefined;
    }
    const v = this.body[key];
    if (typeof v !== 'string' || !values.includes(v)) {
      this.fail(key, `must be one of: ${values.join(', ')}`);
      return undefined;
    }
    return v;
  }

  bool(key) {
    if (!this.has(key)) return undefined;
    const v = this.body[key];
    if (typeof v !== 'boolean') {
      this.fail(key, 'must be a boolean');
      return undefined;
    }
    return v;
  }

  number(key, { required = false, min, max, exclusiveMin = false } = {}) {
    if (!this.has(key)) {
      if (required) this.fail(key, 'is required');
      return undefined;
    }
    const v = this.body[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.fail(key, 'must be a number');
      return undefined;
    }
    if (min !== undefined && (exclusiveMin ? v <= min : v < min)) {
      this.fail(key, `must be ${exclusiveMin ? 'greater than' : 'at least'} ${min}`);
      return undefined;
    }
    if (max !== undefined && v > max) {
      this.fail(key, `must be at most ${max}`);
      return undefined;
    }
    return v;
  }

  stringList(key, { maxItems = 50, maxLen = 50, pattern, patternMsg, nonBlank = true } = {}) {
    if (!this.has(key)) return undefined;
    const v = this.body[key];
    if (!Array.isArray(v)) {
      this.fail(key, 'must be an array of strings');
      return undefined;
    }
    if (v.length > maxItems) {
      this.fail(key, `must have at most ${maxItems} items`);
      return undefined;
    }
    const out = [];
    const seen = new Set();
    for (let i = 0; i < v.length; i++) {
      const item = v[i];
      if (typeof item !== 'string') {
        this.fail(`${key}[${i}]`, 'must be a string');
        continue;
      }
      const t = item.trim();
      if (nonBlank && !t) {
        this.fail(`${key}[${i}]`, 'must not be empty');
        continue;
      }
      if (t.length > maxLen) {
        this.fail(`${key}[${i}]`, `must be at most ${maxLen} characters`);
        continue;
      }
      if (pattern && !pattern.test(t)) {
        this.fail(`${key}[${i}]`, patternMsg || 'has an invalid format');
        continue;
      }
      const norm = t.toLowerCase();
      if (seen.has(norm)) continue; // duplicates collapse silently
      seen.add(norm);
      out.push(t);
    }
    return out;
  }

  done() {
    if (this.details.length) throw errors.validation('Request body failed validation', this.details);
  }
}

function requireObjectBody(body) {
  if (body === undefined) throw errors.validation('A JSON object request body is required');
  if (!isPlainObject(body)) throw errors.validation('The request body must be a JSON object');
  return body;
}

// ---- query strings ----

function parseQuery(searchParams, allowed) {
  const out = {};
  const seen = new Set();
  const details = [];
  for (const [k, v] of searchParams) {
    if (!allowed.includes(k)) {
      details.push({ field: k, message: `is not a recognized query parameter (allowed: ${allowed.join(', ') || 'none'})` });
      continue;
    }
    if (Object.prototype.hasOwnProperty.call(out, k) || seen.has(k)) {
      details.push({ field: k, message: 'must not be repeated' });
      continue;
    }
    seen.add(k);
    // An empty value (?status=) means "not given".
    if (v !== '') out[k] = v;
  }
  if (details.length) throw errors.invalidQuery('Invalid query parameters', details);
  return out;
}

const MAX_LIMIT = 100;

function intParam(q, key, { def, min, max }) {
  if (q[key] === undefined) return def;
  const s = q[key];
  if (!/^\d{1,9}$/.test(s)) throw errors.invalidQuery(`${key} must be a non-negative integer`, [{ field: key, message: 'must be a non-negative integer' }]);
  const n = parseInt(s, 10);
  if (n < min || n > max) throw errors.invalidQuery(`${key} must be between ${min} and ${max}`, [{ field: key, message: `must be between ${min} and ${max}` }]);
  return n;
}

function pagination(q, defLimit = 20) {
  return {
    limit: intParam(q, 'limit', { def: defLimit, min: 1, max: MAX_LIMIT }),
    offset: intParam(q, 'offset', { def: 0, min: 0, max: 1e9 }),
  };
}

// "field" or "field:asc|desc". Returns a comparator over public objects, with
// the creation sequence as the final tie-breaker (stable pagination).
function sorter(q, fields, def = 'createdAt:desc') {
  const raw = q.sort === undefined ? def : q.sort;
  const m = /^([A-Za-z]+)(?::(asc|desc))?$/.exec(raw);
  if (!m || !fields.includes(m[1])) {
    throw errors.invalidQuery(`sort must be FIELD or FIELD:asc|desc with FIELD one of: ${fields.join(', ')}`, [
      { field: 'sort', message: `must be FIELD[:asc|desc], FIELD one of ${fields.join(', ')}` },
    ]);
  }
  const field = m[1];
  const dir = m[2] === 'desc' ? -1 : 1;
  return (a, b) => {
    const x = a.view[field];
    const y = b.view[field];
    let c = 0;
    if (x === y) c = 0;
    else if (x === null || x === undefined) c = 1;
    else if (y === null || y === undefined) c = -1;
    else if (typeof x === 'number' && typeof y === 'number') c = x - y;
    else c = String(x).localeCompare(String(y), 'en', { sensitivity: 'base' }) || (String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0);
    if (c !== 0) return c * dir;
    return (a.seq - b.seq) * dir;
  };
}

function enumParam(q, key, values) {
  if (q[key] === undefined) return undefined;
  if (!values.includes(q[key])) {
    throw errors.invalidQuery(`${key} must be one of: ${values.join(', ')}`, [{ field: key, message: `must be one of: ${values.join(', ')}` }]);
  }
  return q[key];
}

module.exports = { Checker, requireObjectBody, parseQuery, pagination, sorter, enumParam };
