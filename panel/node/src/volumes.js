'use strict';
// /api/v1/volumes routes.

const { errors, newId, slugify } = require('./util');
const { Checker, requireObjectBody, parseQuery, pagination, sorter, enumParam } = require('./validate');
const { VOLUME_TYPES } = require('./model');
const { findUserById } = require('./auth');

const MAX_SIZE_GB = 16384;
const MOUNT_RE = /^(\/[A-Za-z0-9._-]+)+\/?$/;
const RESERVED_MOUNTS = ['/bin', '/boot', '/dev', '/etc', '/lib', '/lib64', '/proc', '/root', '/run', '/sbin', '/sys', '/usr', '/var'];
const USER_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
const VOLUME_TYPE_BACKING = 'persistent'; // the simulated storage backend ("volumeType")

const V_WRITABLE_CREATE = ['projectId', 'label', 'sizeGb', 'description', 'type', 'mountPath'];
const V_WRITABLE_UPDATE = ['label', 'sizeGb', 'description', 'mountPath', 'sharedWith', 'isShared', 'shared'];
const V_VIEW_FIELDS = ['id', 'label', 'name', 'description', 'status', 'type', 'volumeType', 'sizeGb', 'mountPath', 'organizationId', 'owner', 'ownerId', 'projectId', 'isShared', 'shared', 'sharedWith', 'createdAt', 'updatedAt'];

function register(router, model) {
  const store = model.store;

  function checkMountPath(c) {
    let m = c.string('mountPath', { nonBlank: true, max: 255, pattern: MOUNT_RE, patternMsg: 'must be an absolute path such as "/data/training" (letters, digits, ".", "_", "-")' });
    if (m === undefined) return undefined;
    m = m.replace(/\/+$/, '');
    const parts = m.split('/').slice(1);
    if (parts.some((s) => s === '.' || s === '..')) {
      c.fail('mountPath', 'must not contain "." or ".." segments');
      return undefined;
    }
    if (RESERVED_MOUNTS.some((r) => m === r || m.startsWith(`${r}/`))) {
      c.fail('mountPath', `must not be inside a system directory (${RESERVED_MOUNTS.join(', ')})`);
      return undefined;
    }
    return m;
  }

  function mountPathTaken(projectId, mountPath, exceptId) {
    for (const v of store.volumes.values()) {
      if (v.projectId === projectId && v.id !== exceptId && v.mountPath === mountPath) return v;
    }
    return null;
  }

  const editable = (user, v) => {
    if (!model.canEditVolume(user, v)) throw errors.forbidden('You do not have write access to this volume');
  };

  function listVolumes(ctx, q, { sharedOnly }) {
    const { limit, offset } = pagination(q, 20);
    const type = enumParam(q, 'type', VOLUME_TYPES);
    const cmp = sorter(q, ['createdAt', 'updatedAt', 'label', 'sizeGb']);
    const search = (q.search || '').trim().toLowerCase();
    const rows = [];
    for (const v of store.volumes.values()) {
      if (!model.canSeeVolume(ctx.user, v)) continue;
      if (sharedOnly && !v.isShared) continue;
      if (type && v.type !== type) continue;
      if (q.projectId !== undefined && v.projectId !== q.projectId) continue;
      if (search && ![v.label, v.name, v.description].some((s) => s.toLowerCase().includes(search))) continue;
      rows.push({ seq: v.seq, view: model.volumeView(v) });
    }
    rows.sort(cmp);
    return { status: 200, body: { count: rows.length, limit, offset, volumes: rows.slice(offset, offset + limit).map((r) => r.view) } };
  }

  router.add('GET', '/api/v1/volumes', ['volumes:read'], (ctx) => {
    const q = parseQuery(ctx.query, ['search', 'type', 'projectId', 'limit', 'offset', 'sort']);
    return listVolumes(ctx, q, { sharedOnly: false });
  });

  router.add('GET', '/api/v1/volumes/shared', ['volumes:read'], (ctx) => {
    const q = parseQuery(ctx.query, ['search', 'limit', 'offset', 'sort']);
    return listVolumes(ctx, q, { sharedOnly: true });
  });

  // ---- create
  router.add('POST', '/api/v1/volumes', ['volumes:write'], async (ctx) => {
    const body = requireObjectBody(ctx.body);
    const c = new Checker(body);
    c.keys(V_WRITABLE_CREATE, V_VIEW_FIELDS, null);
    const projectId = c.string('projectId', { required: true, nonBlank: true, max: 100 });
    const label = c.string('label', { required: true, nonBlank: true, trim: true, max: 200 });
    const sizeGb = c.number('sizeGb', { required: true, min: 0, exclusiveMin: true, max: MAX_SIZE_GB });
    const description = c.string('description', { max: 5000 });
    const type = c.enumOf('type', VOLUME_TYPES);
    const mountPathGiven = checkMountPath(c);
    let project = null;
    if (projectId !== undefined) {
      project = store.projects.get(projectId);
      if (!project || !model.canSeeProject(ctx.user, project)) {
        c.fail('projectId', `project '${projectId}' not found`);
        project = null;
      }
    }
    c.done();
    if (!model.canEditProject(ctx.user, project)) throw errors.forbidden('You do not have write access to this project');
    if (project.status === 'archived') throw errors.conflict('The project is archived; restore it first');

    const now = ctx.now;
    const id = newId('vol', store.volumes);
    const name = `${slugify(label)}-${id.slice(-6)}`;
    const mountPath = mountPathGiven || `/mnt/${name}`;
    const clash = mountPathTaken(project.id, mountPath, null);
    if (clash) throw errors.conflict(`Mount path '${mountPath}' is already used by volume '${clash.id}' in this project`, { volumeId: clash.id });
    const v = {
      id,
      seq: store.nextSeq(),
      label,
      name,
      description: description || '',
      status: 'available',
      syncUntil: null,
      lastSyncedAt: null,
      type: type || 'data',
      volumeType: VOLUME_TYPE_BACKING,
      sizeGb,
      mountPath,
      organizationId: ctx.user.organizationId,
      ownerId: ctx.user.id,
      ownerName: ctx.user.name,
      projectId: project.id,
      isShared: false,
      sharedWith: [],
      createdAt: now,
      updatedAt: now,
    };
    store.volumes.set(v.id, v);
    project.attachedVolumeIds.push(v.id);
    if (!project.defaultDataVolumeId && v.type === 'data') project.defaultDataVolumeId = v.id;
    project.updatedAt = now;
    model.recordActivity(project, ctx.user, 'volume.created', 'volume', v.id, { label: v.label, sizeGb: v.sizeGb }, now);
    await store.commit();
    return { status: 201, headers: { Location: `/api/v1/volumes/${v.id}` }, body: model.volumeView(v) };
  });

  router.add('GET', '/api/v1/volumes/:id', ['volumes:read'], (ctx) => {
    parseQuery(ctx.query, []);
    return { status: 200, body: model.volumeView(model.getVolume(ctx.user, ctx.params.id)) };
  });

  // ---- update
  router.add('PUT', '/api/v1/volumes/:id', ['volumes:write'], async (ctx) => {
    parseQuery(ctx.query, []);
    const v = model.getVolume(ctx.user, ctx.params.id);
    editable(ctx.user, v);
    const body = requireObjectBody(ctx.body);
    const current = model.volumeView(v);
    const c = new Checker(body);
    c.keys(V_WRITABLE_UPDATE, V_VIEW_FIELDS, current);
    const label = c.string('label', { nonBlank: true, trim: true, max: 200 });
    const sizeGb = c.number('sizeGb', { min: 0, exclusiveMin: true, max: MAX_SIZE_GB });
    if (sizeGb !== undefined && sizeGb < v.sizeGb) c.fail('sizeGb', `cannot be reduced (current size: ${v.sizeGb} GB); volumes can only grow`);
    const description = c.string('description', { max: 5000 });
    const mountPath = checkMountPath(c);
    const sharedWith = c.stringList('sharedWith', { maxItems: 100, maxLen: 64, pattern: USER_ID_RE, patternMsg: 'must be a user id' });
    if (sharedWith) {
      sharedWith.forEach((uid, i) => {
        if (!findUserById(v.organizationId, uid)) c.fail(`sharedWith[${i}]`, `user '${uid}' not found in this organization`);
      });
    }
    const isShared = c.bool('isShared');
    const shared = c.bool('shared');
    if (isShared !== undefined && shared !== undefined && isShared !== shared) c.fail('shared', 'must equal isShared when both are given');
    c.done();

    const changes = {};
    if (label !== undefined && label !== v.label) changes.label = label;
    if (sizeGb !== undefined && sizeGb !== v.sizeGb) changes.sizeGb = sizeGb;
    if (description !== undefined && description !== v.description) changes.description = description;
    if (mountPath !== undefined && mountPath !== v.mountPath) {
      const clash = mountPathTaken(v.projectId, mountPath, v.id);
      if (clash) throw errors.conflict(`Mount path '${mountPath}' is already used by volume '${clash.id}' in this project`, { volumeId: clash.id });
      changes.mountPath = mountPath;
    }
    if (sharedWith !== undefined && JSON.stringify(sharedWith) !== JSON.stringify(v.sharedWith)) changes.sharedWith = sharedWith;
    const flag = isShared !== undefined ? isShared : shared;
    if (flag !== undefined && flag !== v.isShared) changes.isShared = flag;
    if (Object.keys(changes).length) {
      Object.assign(v, changes);
      v.updatedAt = ctx.now;
      model.recordActivity(store.projects.get(v.projectId), ctx.user, 'volume.updated', 'volume', v.id, { fields: Object.keys(changes) }, ctx.now);
      await store.commit();
    }
    return { status: 200, body: model.volumeView(v) };
  });

  // ---- delete
  router.add('DELETE', '/api/v1/volumes/:id', ['volumes:write'], async (ctx) => {
    parseQuery(ctx.query, []);
    const v = model.getVolume(ctx.user, ctx.params.id);
    editable(ctx.user, v);
    const mounted = [...store.workspaces.values()].filter((w) => w.projectId === v.projectId && (w.status === 'running' || w.status === 'pending'));
    if (mounted.length) {
      throw errors.conflict(`The volume is mounted by ${mounted.length} running or provisioning workspace(s); stop them first`, {
        workspaceIds: mounted.map((w) => w.id),
      });
    }
    store.volumes.delete(v.id);
    const p = store.projects.get(v.projectId);
    if (p) {
      p.attachedVolumeIds = p.attachedVolumeIds.filter((id) => id !== v.id);
      if (p.defaultDataVolumeId === v.id) {
        const next = p.attachedVolumeIds.map((id) => store.volumes.get(id)).find((x) => x && x.type === 'data');
        p.defaultDataVolumeId = next ? next.id : null;
      }
      p.updatedAt = ctx.now;
      model.recordActivity(p, ctx.user, 'volume.deleted', 'volume', v.id, { label: v.label }, ctx.now);
    }
    await store.commit();
    return { status: 204 };
  });

  // ---- sync / share
  router.add('POST', '/api/v1/volumes/:id/sync', ['volumes:write'], async (ctx) => {
    parseQuery(ctx.query, []);
    const v = model.getVolume(ctx.user, ctx.params.id);
    editable(ctx.user, v);
    if (v.status === 'syncing') throw errors.conflict('A sync of this volume is already in progress', { status: v.status });
    v.status = 'syncing';
    v.syncUntil = ctx.now + model.provisionDelayMs;
    v.updatedAt = ctx.now;
    model.scheduleAt(v.syncUntil);
    model.recordActivity(store.projects.get(v.projectId), ctx.user, 'volume.synced', 'volume', v.id, {}, ctx.now);
    await store.commit();
    return { status: 200, body: { message: 'Volume sync initiated', volumeId: v.id, status: v.status } };
  });

  router.add('POST', '/api/v1/volumes/:id/share', ['volumes:write'], async (ctx) => {
    parseQuery(ctx.query, []);
    const v = model.getVolume(ctx.user, ctx.params.id);
    editable(ctx.user, v);
    if (!v.isShared) {
      v.isShared = true;
      v.updatedAt = ctx.now;
      model.recordActivity(store.projects.get(v.projectId), ctx.user, 'volume.shared', 'volume', v.id, {}, ctx.now);
      await store.commit();
      return { status: 200, body: { message: 'Volume shared with the organization', volumeId: v.id, isShared: true, shared: true } };
    }
    return { status: 200, body: { message: 'Volume is already shared with the organization', volumeId: v.id, isShared: true, shared: true } };
  });
}

module.exports = { register };
