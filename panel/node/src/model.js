'use strict';
// Domain model: access rules, public views (wire representations), the
// simulated compute lifecycle and the project activity feed.

const crypto = require('node:crypto');
const { errors, iso, newId, hashUnit } = require('./util');

const ACTIVITY_CAP = 1000; // most recent events kept per project
const HISTORY_CAP = 60; // lifecycle events kept per workspace (feed the simulated logs)

const WS_STATUSES = ['pending', 'running', 'stopped', 'failed', 'terminated'];
const ENV_TYPES = ['jupyter', 'vscode', 'rstudio', 'custom'];
const DEFAULT_IMAGES = {
  jupyter: 'strongly/jupyter:latest',
  vscode: 'strongly/vscode:latest',
  rstudio: 'strongly/rstudio:latest',
};
const DEFAULT_RESOURCES = { cpu: '2', memory: '8Gi', gpu: '0', gpuType: null, storage: '20Gi' };
const DEFAULT_GPU_TYPE = 'nvidia-a10g';
const COLLAB_ROLES = ['viewer', 'editor', 'admin'];
const VISIBILITIES = ['private', 'organization'];
const VOLUME_TYPES = ['data', 'model', 'scratch'];
const PROJECT_STATUSES = ['active', 'archived'];

class Model {
  constructor(store, { provisionDelayMs }) {
    this.store = store;
    this.provisionDelayMs = provisionDelayMs;
    this.timers = new Set();
    this.nextDue = 0; // earliest pending readyAt / syncUntil (0: unknown, scan)
  }

  // ---------------------------------------------------------------- access

  projectRole(user, p) {
    if (p.ownerId === user.id) return 'owner';
    const c = p.collaborators.find((x) => x.userId === user.id);
    return c ? c.role : null;
  }

  canSeeProject(user, p) {
    if (p.organizationId !== user.organizationId) return false;
    return p.visibility === 'organization' || this.projectRole(user, p) !== null;
  }

  canEditProject(user, p) {
    return ['owner', 'admin', 'editor'].includes(this.projectRole(user, p));
  }

  canManageProject(user, p) {
    return ['owner', 'admin'].includes(this.projectRole(user, p));
  }

  canSeeWorkspace(user, w) {
    if (w.organizationId !== user.organizationId) return false;
    if (w.ownerId === user.id || !w.projectId) return true;
    const p = this.store.projects.get(w.projectId);
    return !p || this.canSeeProject(user, p);
  }

  canEditWorkspace(user, w) {
    if (w.ownerId === user.id) return true;
    const p = w.projectId && this.store.projects.get(w.projectId);
    return !!p && this.canEditProject(user, p);
  }

  canSeeVolume(user, v) {
    if (v.organizationId !== user.organizationId) return false;
    if (v.ownerId === user.id || v.isShared || v.sharedWith.includes(user.id)) return true;
    const p = this.store.projects.get(v.projectId);
    return !!p && this.canSeeProject(user, p);
  }

  canEditVolume(user, v) {
    if (v.ownerId === user.id) return true;
    const p = this.store.projects.get(v.projectId);
    return !!p && this.canEditProject(user, p);
  }

  // Lookups that answer 404 for anything the caller may not see, whatever the
  // reason (other tenant, private project, nonexistent): no existence oracle.
  getProject(user, id) {
    const p = this.store.projects.get(id);
    if (!p || !this.canSeeProject(user, p)) throw errors.notFound(`Project '${id}' not found`);
    return p;
  }

  getWorkspace(user, id) {
    const w = this.store.workspaces.get(id);
    if (!w || !this.canSeeWorkspace(user, w)) throw errors.notFound(`Workspace '${id}' not found`);
    return w;
  }

  getVolume(user, id) {
    const v = this.store.volumes.get(id);
    if (!v || !this.canSeeVolume(user, v)) throw errors.notFound(`Volume '${id}' not found`);
    return v;
  }

  // ---------------------------------------------------------------- views

  collaboratorView(c) {
    return {
      userId: c.userId,
      email: c.email,
      role: c.role,
      isOwner: c.isOwner,
      grantedAt: iso(c.grantedAt),
      grantedBy: c.grantedBy,
    };
  }

  projectView(p) {
    return {
      id: p.id,
      name: p.name,
      description: p.description,
      status: p.status,
      category: p.category,
      visibility: p.visibility,
      organizationId: p.organizationId,
      owner: p.ownerName,
      ownerId: p.ownerId,
      collaborators: p.collaborators.map((c) => this.collaboratorView(c)),
      sharedWith: p.collaborators.filter((c) => !c.isOwner).map((c) => c.userId),
      tags: [...p.tags],
      archived: p.status === 'archived',
      defaultDataVolumeId: p.defaultDataVolumeId,
      attachedVolumeIds: [...p.attachedVolumeIds],
      createdAt: iso(p.createdAt),
      updatedAt: iso(p.updatedAt),
    };
  }

  workspaceUrl(w) {
    return `https://${w.id.replace(/_/g, '-')}.workspaces.strongly.ai`;
  }

  workspaceVolumeIds(w) {
    const p = w.projectId && this.store.projects.get(w.projectId);
    return p ? [...p.attachedVolumeIds] : [];
  }

  workspaceView(w) {
    return {
      id: w.id,
      name: w.name,
      description: w.description,
      status: w.status,
      environmentType: w.environmentType,
      image: w.image,
      resources: { ...w.resources },
      organizationId: w.organizationId,
      owner: { id: w.ownerId, name: w.ownerName, email: w.ownerEmail },
      ownerId: w.ownerId,
      url: w.status === 'running' ? this.workspaceUrl(w) : null,
      projectId: w.projectId,
      volumeIds: this.workspaceVolumeIds(w),
      createdAt: iso(w.createdAt),
      updatedAt: iso(w.updatedAt),
    };
  }

  // The list representation, exactly the fields the REST reference shows.
  workspaceSummary(w) {
    return {
      id: w.id,
      name: w.name,
      description: w.description,
      status: w.status,
      environmentType: w.environmentType,
      image: w.image,
      organizationId: w.organizationId,
      ownerId: w.ownerId,
      url: w.status === 'running' ? this.workspaceUrl(w) : null,
      projectId: w.projectId,
      createdAt: iso(w.createdAt),
      updatedAt: iso(w.updatedAt),
    };
  }

  volumeView(v) {
    return {
      id: v.id,
      label: v.label,
      name: v.name,
      description: v.description,
      status: v.status,
      type: v.type,
      volumeType: v.volumeType,
      sizeGb: v.sizeGb,
      mountPath: v.mountPath,
      organizationId: v.organizationId,
      owner: v.ownerName,
      ownerId: v.ownerId,
      projectId: v.projectId,
      isShared: v.isShared,
      shared: v.isShared,
      sharedWith: [...v.sharedWith],
      createdAt: iso(v.createdAt),
      updatedAt: iso(v.updatedAt),
    };
  }

  activityView(e, projectId) {
    return {
      id: e.id,
      projectId,
      action: e.action,
      actorId: e.actorId,
      actorName: e.actorName,
      targetType: e.targetType,
      targetId: e.targetId,
      details: e.details,
      createdAt: iso(e.createdAt),
    };
  }

  // ---------------------------------------------------------------- activity

  recordActivity(project, user, action, targetType, targetId, details, now) {
    if (!project) return;
    const e = {
      id: `act_${crypto.randomBytes(6).toString('hex')}`,
      seq: this.store.nextSeq(),
      action,
      actorId: user ? user.id : 'system',
      actorName: user ? user.name : 'system',
      targetType,
      targetId,
      details: details || {},
      createdAt: now,
    };
    project.activity.push(e);
    if (project.activity.length > ACTIVITY_CAP) project.activity.splice(0, project.activity.length - ACTIVITY_CAP);
  }

  // ---------------------------------------------------------------- lifecycle

  pushHistory(w, entry) {
    w.history.push(entry);
    if (w.history.length > HISTORY_CAP) w.history.splice(0, w.history.length - HISTORY_CAP);
  }

  // Put a workspace into provisioning; it becomes running after the delay.
  beginProvisioning(w, now) {
    w.status = 'pending';
    w.startedAt = now;
    w.readyAt = now + this.provisionDelayMs;
    w.stoppedAt = null;
    this.pushHistory(w, { type: 'start', at: now, image: w.image, resources: { ...w.resources } });
    this.scheduleAt(w.readyAt);
  }

  stopCompute(w, now) {
    w.status = 'stopped';
    w.stoppedAt = now;
    w.readyAt = null;
    this.pushHistory(w, { type: 'stop', at: now });
  }

  scheduleAt(at) {
    if (at < this.nextDue) this.nextDue = at;
    const delay = Math.max(0, at - Date.now()) + 5;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (this.reconcile(Date.now())) this.store.commit().catch(() => {});
    }, Math.min(delay, 2 ** 31 - 1));
    this.timers.add(t);
  }

  // Time-driven transitions. These are a pure function of persisted fields
  // (readyAt, syncUntil) and the clock, so they need no durability of their
  // own: after a crash they are simply re-derived. Returns true if anything
  // changed (the caller then persists opportunistically).
  reconcile(now) {
    if (now < this.nextDue) return false; // nothing can be due yet
    let changed = false;
    let next = Infinity;
    for (const w of this.store.workspaces.values()) {
      if (w.status !== 'pending' || w.readyAt === null) continue;
      if (w.readyAt <= now) {
        w.status = 'running';
        w.updatedAt = Math.max(w.updatedAt, w.readyAt);
        this.pushHistory(w, { type: 'ready', at: w.readyAt });
        changed = true;
      } else if (w.readyAt < next) next = w.readyAt;
    }
    for (const v of this.store.volumes.values()) {
      if (v.status !== 'syncing' || v.syncUntil === null) continue;
      if (v.syncUntil <= now) {
        v.status = 'available';
        v.lastSyncedAt = v.syncUntil;
        v.syncUntil = null;
        changed = true;
      } else if (v.syncUntil < next) next = v.syncUntil;
    }
    this.nextDue = next;
    return changed;
  }

  // At startup: re-arm timers for provisioning / syncing still in progress.
  resume() {
    const now = Date.now();
    this.reconcile(now);
    for (const w of this.store.workspaces.values()) if (w.status === 'pending' && w.readyAt !== null) this.scheduleAt(w.readyAt);
    for (const v of this.store.volumes.values()) if (v.status === 'syncing' && v.syncUntil !== null) this.scheduleAt(v.syncUntil);
  }

  stopTimers() {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  // ---------------------------------------------------------------- simulation

  statusView(w) {
    const t = (ms) => iso(ms);
    switch (w.status) {
      case 'pending':
        return {
          phase: 'Pending',
          ready: false,
          message: 'Workspace is being provisioned',
          conditions: [
            { type: 'PodScheduled', status: 'True', lastTransitionTime: t(w.startedAt) },
            { type: 'Ready', status: 'False', lastTransitionTime: t(w.startedAt) },
          ],
        };
      case 'running':
        return {
          phase: 'Running',
          ready: true,
          message: 'Workspace is running and ready',
          conditions: [
            { type: 'PodScheduled', status: 'True', lastTransitionTime: t(w.startedAt) },
            { type: 'Ready', status: 'True', lastTransitionTime: t(w.readyAt) },
          ],
        };
      case 'stopped':
        return {
          phase: 'Stopped',
          ready: false,
          message: 'Workspace is stopped',
          conditions: [
            { type: 'PodScheduled', status: 'False', lastTransitionTime: t(w.stoppedAt || w.updatedAt) },
            { type: 'Ready', status: 'False', lastTransitionTime: t(w.stoppedAt || w.updatedAt) },
          ],
        };
      default:
        return {
          phase: 'Failed',
          ready: false,
          message: 'Workspace failed',
          conditions: [
            { type: 'PodScheduled', status: 'False', lastTransitionTime: t(w.updatedAt) },
            { type: 'Ready', status: 'False', lastTransitionTime: t(w.updatedAt) },
          ],
        };
    }
  }

  metricsView(w, now) {
    const cpu = parseCpu(w.resources.cpu);
    const mem = parseGi(w.resources.memory);
    const disk = parseGi(w.resources.storage);
    const gpu = parseInt(w.resources.gpu, 10) || 0;
    const bucket = Math.floor(now / 5000); // values move every 5 s
    const r = (k, lo, hi) => lo + (hi - lo) * hashUnit(`${w.id}:${k}:${bucket}`);
    // Disk grows slowly with uptime, seeded per workspace.
    const uptimeH = Math.max(0, now - (w.readyAt || now)) / 3600000;
    const diskFrac = Math.min(0.95, 0.1 + 0.3 * hashUnit(`${w.id}:disk`) + 0.01 * uptimeH);
    return {
      cpuUsage: (cpu * r('cpu', 0.05, 0.85)).toFixed(1),
      memoryUsage: `${(mem * r('mem', 0.2, 0.8)).toFixed(1)}Gi`,
      gpuUsage: gpu > 0 ? `${Math.round(r('gpu', 10, 95))}%` : null,
      diskUsage: `${(disk * diskFrac).toFixed(1)}Gi`,
    };
  }

  logsView(w, type) {
    const lines = [];
    const add = (at, text) => lines.push(`${iso(at)} ${text}`);
    const hist = w.history;
    if (type === 'pod') {
      // Runtime logs of the most recent run only (like `kubectl logs`).
      let lastStart = -1;
      for (let i = hist.length - 1; i >= 0; i--) if (hist[i].type === 'start') { lastStart = i; break; }
      if (lastStart >= 0) {
        for (let i = lastStart + 1; i < hist.length; i++) {
          const h = hist[i];
          if (h.type === 'ready') for (const l of runtimeLines(w.environmentType)) add(h.at, l);
          if (h.type === 'sync') add(h.at, `Syncing workspace files to volume ${h.volumeId}... done`);
          if (h.type === 'stop') {
            add(h.at, 'Received SIGTERM, shutting down');
            add(h.at, 'Shutdown complete');
          }
        }
      }
    } else {
      for (const h of hist) {
        if (type === 'build') {
          if (h.type === 'start') {
            add(h.at, `Resolving image ${h.image}`);
            add(h.at, `Pulling image ${h.image}`);
            add(h.at, `Image ${h.image} is available`);
          }
        } else if (h.type === 'start') {
          const res = h.resources || w.resources;
          add(h.at, `Scheduling workspace ${w.id} (cpu=${res.cpu}, memory=${res.memory}, gpu=${res.gpu}${res.gpuType ? `, gpuType=${res.gpuType}` : ''}, storage=${res.storage})`);
          add(h.at, 'Pod scheduled');
          add(h.at, `Starting container from image ${h.image}`);
        } else if (h.type === 'ready') {
          add(h.at, 'Container started; readiness probe succeeded');
          add(h.at, `Workspace available at ${this.workspaceUrl(w)}`);
        } else if (h.type === 'stop') {
          add(h.at, 'Stopping workspace; releasing compute resources');
          add(h.at, 'Pod terminated');
        }
      }
    }
    const content = lines.length ? `${lines.join('\n')}\n` : '';
    return { workspaceId: w.id, logType: type, logs: content, content, lines };
  }
}

function runtimeLines(env) {
  switch (env) {
    case 'jupyter':
      return ['Starting Jupyter server...', 'Jupyter server is running at https://0.0.0.0:8888'];
    case 'vscode':
      return ['Starting code-server...', 'HTTP server listening on https://0.0.0.0:8080'];
    case 'rstudio':
      return ['Starting RStudio Server...', 'RStudio Server is running at https://0.0.0.0:8787'];
    default:
      return ['Running container entrypoint...', 'Workspace process started'];
  }
}

function parseCpu(s) {
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(String(s));
  if (!m) return 0;
  return m[2] ? parseFloat(m[1]) / 1000 : parseFloat(m[1]);
}

const UNIT_GI = { Mi: 1 / 1024, Gi: 1, Ti: 1024 };
function parseGi(s) {
  const m = /^(\d+(?:\.\d+)?)(Mi|Gi|Ti)$/.exec(String(s));
  if (!m) return 0;
  return parseFloat(m[1]) * UNIT_GI[m[2]];
}

module.exports = {
  Model,
  newId,
  parseCpu,
  parseGi,
  WS_STATUSES,
  ENV_TYPES,
  DEFAULT_IMAGES,
  DEFAULT_RESOURCES,
  DEFAULT_GPU_TYPE,
  COLLAB_ROLES,
  VISIBILITIES,
  VOLUME_TYPES,
  PROJECT_STATUSES,
};
