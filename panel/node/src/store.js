'use strict';
// State and durability.
//
// The whole state lives in memory and is persisted as one JSON snapshot,
// DIR/state.json, replaced atomically (write DIR/state.json.tmp, fsync it,
// rename over state.json, fsync DIR). Request handlers mutate memory
// synchronously (no await between check and mutation, so concurrent requests
// cannot interleave inside one operation) and then await commit(), which
// resolves only once a snapshot containing that mutation is on disk.
// Commits are grouped: while one snapshot is being written, further mutations
// accumulate and are written together by the next snapshot.

const fs = require('node:fs');
const fsp = require('node:fs/promises');
const path = require('node:path');

const FORMAT_VERSION = 1;

class Store {
  constructor(dir) {
    this.dir = path.resolve(dir);
    this.file = path.join(this.dir, 'state.json');
    this.tmp = path.join(this.dir, 'state.json.tmp');
    this.lockFile = path.join(this.dir, 'server.lock');
    this.seq = 0; // monotonic creation counter, orders records created in the same second
    this.projects = new Map();
    this.workspaces = new Map();
    this.volumes = new Map();
    this.version = 0; // bumped by every mutation
    this.persisted = 0; // highest version known to be on disk
    this.writing = false;
    this.waiters = [];
    this.lastError = null;
  }

  open() {
    fs.mkdirSync(this.dir, { recursive: true });
    this.acquireLock();
    try {
      fs.unlinkSync(this.tmp);
    } catch (e) {
      if (e.code !== 'ENOENT') throw e;
    }
    let raw = null;
    try {
      raw = fs.readFileSync(this.file, 'utf8');
    } catch (e) {
      if (e.code !== 'ENOENT') throw e;
    }
    if (raw !== null) {
      let data;
      try {
        data = JSON.parse(raw);
      } catch (e) {
        throw new Error(`${this.file} is not valid JSON; refusing to start (move it aside to start empty): ${e.message}`);
      }
      if (!data || data.formatVersion !== FORMAT_VERSION) {
        throw new Error(`${this.file} has an unknown format version; refusing to start`);
      }
      this.seq = data.seq || 0;
      for (const p of data.projects || []) this.projects.set(p.id, p);
      for (const w of data.workspaces || []) this.workspaces.set(w.id, w);
      for (const v of data.volumes || []) this.volumes.set(v.id, v);
    }
  }

  acquireLock() {
    // Refuse to run two servers on one data directory.
    try {
      const other = parseInt(fs.readFileSync(this.lockFile, 'utf8'), 10);
      if (other && other !== process.pid) {
        let alive = true;
        try {
          process.kill(other, 0);
        } catch (e) {
          alive = e.code === 'EPERM';
        }
        if (alive) {
          // Guard against pid reuse after a crash: on Linux, check that the
          // process holding the lock is actually this server.
          try {
            const cmd = fs.readFileSync(`/proc/${other}/cmdline`, 'utf8');
            if (!cmd.includes('server.js')) alive = false;
          } catch (_) {
            /* no /proc: trust the liveness check */
          }
        }
        if (alive) throw new Error(`data directory ${this.dir} is in use by process ${other}`);
      }
    } catch (e) {
      if (e.code !== 'ENOENT') throw e;
    }
    fs.writeFileSync(this.lockFile, String(process.pid));
    this.locked = true;
  }

  releaseLock() {
    if (!this.locked) return;
    try {
      if (parseInt(fs.readFileSync(this.lockFile, 'utf8'), 10) === process.pid) fs.unlinkSync(this.lockFile);
    } catch (_) {
      /* ignore */
    }
    this.locked = false;
  }

  nextSeq() {
    this.seq += 1;
    return this.seq;
  }

  serialize() {
    return JSON.stringify({
      formatVersion: FORMAT_VERSION,
      savedAt: new Date().toISOString(),
      seq: this.seq,
      projects: [...this.projects.values()],
      workspaces: [...this.workspaces.values()],
      volumes: [...this.volumes.values()],
    });
  }

  // Mark memory as changed and return a promise that resolves once a snapshot
  // including this change is durable (rejects if it could not be written).
  commit() {
    this.version += 1;
    const v = this.version;
    const p = new Promise((resolve, reject) => this.waiters.push({ v, resolve, reject }));
    this.pump();
    return p;
  }

  async pump() {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.persisted < this.version) {
        const v = this.version;
        const data = this.serialize(); // synchronous: captures every mutation up to v
        try {
          await this.writeAtomic(data);
          this.persisted = v;
          this.lastError = null;
          this.settle(v, null);
        } catch (err) {
          this.lastError = err;
          process.stderr.write(`storage error: ${err.message}\n`);
          this.settle(v, err);
          // Leave persisted < version: the next commit retries with the full state.
          break;
        }
      }
    } finally {
      this.writing = false;
    }
  }

  settle(v, err) {
    const keep = [];
    for (const w of this.waiters) {
      if (w.v <= v) (err ? w.reject(err) : w.resolve());
      else keep.push(w);
    }
    this.waiters = keep;
  }

  async writeAtomic(data) {
    const fh = await fsp.open(this.tmp, 'w', 0o600);
    try {
      await fh.writeFile(data, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.rename(this.tmp, this.file);
    const dh = await fsp.open(this.dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  }

  // Resolves once every mutation made so far is durable. Reads wait on this
  // before answering, so a client never observes state that a crash could
  // still take back (no reads of not-yet-acknowledged writes).
  durable() {
    if (this.persisted >= this.version) return Promise.resolve();
    const v = this.version;
    const p = new Promise((resolve, reject) => this.waiters.push({ v, resolve, reject }));
    this.pump();
    return p;
  }

  // Wait until everything mutated so far is on disk (used at shutdown).
  async flush() {
    if (this.persisted >= this.version && !this.writing) return;
    if (this.persisted < this.version) {
      const v = this.version;
      const p = new Promise((resolve, reject) => this.waiters.push({ v, resolve, reject }));
      this.pump();
      await p;
    }
    while (this.writing) await new Promise((r) => setTimeout(r, 5));
  }
}

module.exports = { Store };
