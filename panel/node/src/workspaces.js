'use strict';
// /api/v1/workspaces routes.

const { errors, newId, deepEqual } = require('./util');
const { Checker, requireObjectBody, parseQuery, pagination, sorter, enumParam } = require('./validate');
const { WS_STATUSES, ENV_TYPES, DEFAULT_IMAGES, DEFAULT_RESOURCES, DEFAULT_GPU_TYPE, parseCpu, parseGi } = require('./model');

const IMAGE_RE = /^[a-z0-9][a-z0-9._\-/]*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;
const CPU_RE = /^\d+(\.\d+)?m?$/;
const QTY_RE = /^\d+(\.\d+)?(Mi|Gi|Ti)$/;
const LIMITS = { cpu: 64, memoryGi: 512, gpu: 8, storageGi: 2048 };
const RESOURCE_KEYS = ['cpu', 'memory', 'gpu', 'gpuType', 'storage'];

const WS_WRITABLE_CREATE = ['name', 'description', 'environmentType', 'image', 'resources', 'projectId'];
const WS_WRITABLE_UPDATE = ['name', 'description', 'image', 'resources'];
const WS_VIEW_FIELDS = ['id', 'name', 'description', 'status', 'environmentType', 'image', 'resources', 'organizationId', 'owner', 'ownerId', 'url', 'projectId', 'volumeIds', 'createdAt', 'updatedAt', 'workspaceId'];

// Validates a (possibly partial) resources object and merges it onto `base`.
function checkResources(c, value, base) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    c.fail('resources', 'must be an object with any of: cpu, memory, gpu, gpuType, storage');
    return undefined;
  }
  const out = { ...base };
  let ok = true;
  const bad = (k, msg) => {
    c.fail(`resources.${k}`, msg);
    ok = false;
  };
  for (const k of Object.keys(value)) if (!RESOURCE_KEYS.includes(k)) bad(k, 'is not a recognized resource (cpu, memory, gpu, gpuType, storage)');
  const has = (k) => Object.prototype.hasOwnProperty.call(value, k);

  if (has('cpu')) {
    let v = value.cpu;
    if (typeof v === 'number' && Number.isFinite(v)) v = String(v);
    if (typeof v !== 'string' || !CPU_RE.test(v)) bad('cpu', 'must be a CPU quantity such as "4", "0.5" or "500m"');
    else if (parseCpu(v) <= 0 || parseCpu(v) > LIMITS.cpu) bad('cpu', `must be greater than 0 and at most ${LIMITS.cpu}`);
    else out.cpu = v;
  }
  for (const k of ['memory', 'storage']) {
    if (!has(k)) continue;
    const v = value[k];
    const max = k === 'memory' ? LIMITS.memoryGi : LIMITS.storageGi;
    if (typeof v !== 'string' || !QTY_RE.test(v)) bad(k, 'must be a quantity such as "512Mi", "16Gi" or "1Ti"');
    else if (parseGi(v) <= 0 || parseGi(v) > max) bad(k, `must be greater than 0 and at most ${max}Gi`);
    else out[k] = v;
  }
  if (has('gpu')) {
    let v = value.gpu;
    if (typeof v === 'number' && Number.isInteger(v)) v = String(v);
    if (typeof v !== 'string' || !/^\d+$/.test(v)) bad('gpu', 'must be a whole number of GPUs such as "1"');
    else if (parseInt(v, 10) > LIMITS.gpu) bad('gpu', `must be at most ${LIMITS.gpu}`);
    else out.gpu = String(parseInt(v, 10));
  }
  if (has('gpuType')) {
    const v = value.gpuType;
    if (v !== null && (typeof v !== 'string' || !/^[a-z0-9][a-z0-9-]{0,63}$/.test(v))) bad('gpuType', 'must be a GPU type such as "nvidia-a10g", or null');
    else out.gpuType = v;
  }
  if (!ok) return undefined;
  if (out.gpu === '0') {
    if (has('gpuType') && value.gpuType !== null) {
      c.fail('resources.gpuType', 'cannot be set when gpu is "0"');
      return undefined;
    }
    out.gpuType = null;
  } else if (!out.gpuType) {
    out.gpuType = DEFAULT_GPU_TYPE;
  }
  return out;
}

function register(router, model) {
  const store = model.store;

  const loadProjectForWrite = (user, projectId, field) => {
    const p = store.projects.get(projectId);
    if (!p || !model.canSeeProject(user, p)) {
      throw errors.validation('Request body failed validation', [{ field, message: `project '${projectId}' not found` }]);
    }
    if (!model.canEditProject(user, p)) throw errors.forbidden('You do not have write access to this project');
    if (p.status === 'archived') throw errors.conflict('The project is archived; restore it first');
    return p;
  };

  const editable = (user, w) => {
    if (!model.canEditWorkspace(user, w)) throw errors.forbidden('You do not have write access to this workspace');
  };

  // ---- list
  router.add('GET', '/api/v1/workspaces', ['workspaces:read'], (ctx) => {
    const q = parseQuery(ctx.query, ['search', 'status', 'projectId', 'limit', 'offset', 'sort']);
    return listWorkspaces(ctx, q, q.projectId);
  });

  function listWorkspaces(ctx, q, projectId) {
    const { limit, offset } = pagination(q, 20);
    const status = enumParam(q, 'status', WS_STATUSES);
    const cmp = sorter(q, ['createdAt', 'updatedAt', 'name', 'status']);
    const search = (q.search || '').trim().toLowerCase();
    const rows = [];
    for (const w of store.workspaces.values()) {
      if (!model.canSeeWorkspace(ctx.user, w)) continue;
      if (status && w.status !== status) continue;
      if (projectId !== undefined && w.projectId !== projectId) continue;
      if (search && !w.name.toLowerCase().includes(search) && !w.description.toLowerCase().includes(search)) continue;
      rows.push({ seq: w.seq, view: model.workspaceSummary(w) });
    }
    rows.sort(cmp);
    return {
      status: 200,
      body: { count: rows.length, limit, offset, workspaces: rows.slice(offset, offset + limit).map((r) => r.view) },
    };
  }

  // ---- create
  router.add('POST', '/api/v1/workspaces', ['workspaces:write'], async (ctx) => {
    const body = requireObjectBody(ctx.body);
    const c = new Checker(body);
    c.keys(WS_WRITABLE_CREATE, WS_VIEW_FIELDS, null);
    const name = c.string('name', { required: true, nonBlank: true, trim: true, max: 200 });
    const description = c.string('description', { required: true, max: 5000 });
    const environmentType = c.enumOf('environmentType', ENV_TYPES, { required: true });
    const image = c.string('image', { nonBlank: true, max: 255, pattern: IMAGE_RE, patternMsg: 'must be a container image reference such as "strongly/jupyter-gpu:latest"' });
    const resources = c.has('resources') ? checkResources(c, body.resources, DEFAULT_RESOURCES) : { ...DEFAULT_RESOURCES };
    const projectId = c.string('projectId', { nullable: true, nonBlank: true, max: 100 });
    if (environmentType === 'custom' && !c.has('image')) c.fail('image', 'is required when environmentType is "custom"');
    c.done();

    const project = projectId ? loadProjectForWrite(ctx.user, projectId, 'projectId') : null;
    const now = ctx.now;
    const w = {
      id: newId('ws', store.workspaces),
      seq: store.nextSeq(),
      name,
      description,
      status: 'pending',
      environmentType,
      image: image || DEFAULT_IMAGES[environmentType],
      resources,
      organizationId: ctx.user.organizationId,
      ownerId: ctx.user.id,
      ownerName: ctx.user.name,
      ownerEmail: ctx.user.email,
      projectId: project ? project.id : null,
      createdAt: now,
      updatedAt: now,
      startedAt: null,
      readyAt: null,
      stoppedAt: null,
      history: [],
    };
    model.beginProvisioning(w, now);
    store.workspaces.set(w.id, w);
    model.recordActivity(project, ctx.user, 'workspace.created', 'workspace', w.id, { name: w.name }, now);
    await store.commit();
    return {
      status: 201,
      headers: { Location: `/api/v1/workspaces/${w.id}` },
      body: { workspaceId: w.id, ...model.workspaceView(w) },
    };
  });

  // ---- retrieve
  router.add('GET', '/api/v1/workspaces/:id', ['workspaces:read'], (ctx) => {
    parseQuery(ctx.query, []);
    return { status: 200, body: model.workspaceView(model.getWorkspace(ctx.user, ctx.params.id)) };
  });

  // ---- update
  router.add('PUT', '/api/v1/workspaces/:id', ['workspaces:write'], async (ctx) => {
    parseQuery(ctx.query, []);
    const w = model.getWorkspace(ctx.user, ctx.params.id);
    editable(ctx.user, w);
    const body = requireObjectBody(ctx.body);
    // The create response also carried "workspaceId"; accept it back unchanged.
    const current = { ...model.workspaceView(w), workspaceId: w.id };
    const c = new Checker(body);
    c.keys(WS_WRITABLE_UPDATE, WS_VIEW_FIELDS, current);
    const name = c.string('name', { nonBlank: true, trim: true, max: 200 });
    const description = c.string('description', { max: 5000 });
    const image = c.string('image', { nonBlank: true, max: 255, pattern: IMAGE_RE, patternMsg: 'must be a container image reference such as "strongly/jupyter-gpu:latest"' });
    const resources = c.has('resources') ? checkResources(c, body.resources, w.resources) : undefined;
    c.done();

    const changes = {};
    if (name !== undefined && name !== w.name) changes.name = name;
    if (description !== undefined && description !== w.description) changes.description = description;
    if (image !== undefined && image !== w.image) changes.image = image;
    if (resources !== undefined && !deepEqual(resources, w.resources)) {
      if (w.status !== 'stopped' && w.status !== 'failed') {
        throw errors.conflict(`Resources can only be changed while the workspace is stopped (current status: ${w.status})`, { status: w.status });
      }
      changes.resources = resources;
    }
    if (Object.keys(changes).length) {
      Object.assign(w, changes);
      w.updatedAt = ctx.now;
      const project = w.projectId && store.projects.get(w.projectId);
      model.recordActivity(project, ctx.user, 'workspace.updated', 'workspace', w.id, { fields: Object.keys(changes) }, ctx.now);
      await store.commit();
    }
    return { status: 200, body: model.workspaceView(w) };
  });

  // ---- delete
  router.add('DELETE', '/api/v1/workspaces/:id', ['workspaces:write'], async (ctx) => {
    parseQuery(ctx.query, []);
    const w = model.getWorkspace(ctx.user, ctx.params.id);
    editable(ctx.user, w);
    if (w.status !== 'stopped' && w.status !== 'failed') {
      throw errors.conflict(`The workspace must be stopped before it can be deleted (current status: ${w.status})`, { status: w.status });
    }
    store.workspaces.delete(w.id);
    const project = w.projectId && store.projects.get(w.projectId);
    model.recordActivity(project, ctx.user, 'workspace.deleted', 'workspace', w.id, { name: w.name }, ctx.now);
    await store.commit();
    return { status: 204 };
  });

  // ---- lifecycle
  router.add('POST', '/api/v1/workspaces/:id/start', ['workspaces:write'], async (ctx) => {
    parseQuery(ctx.query, []);
    const w = model.getWorkspace(ctx.user, ctx.params.id);
    editable(ctx.user, w);
    if (w.status !== 'stopped' && w.status !== 'failed') {
      throw errors.conflict(`Only a stopped workspace can be started (current status: ${w.status})`, { status: w.status });
    }
    const project = w.projectId && store.projects.get(w.projectId);
    if (project && project.status === 'archived') throw errors.conflict('The workspace belongs to an archived project; restore the project first');
    model.beginProvisioning(w, ctx.now);
    w.updatedAt = ctx.now;
    model.recordActivity(project, ctx.user, 'workspace.started', 'workspace', w.id, {}, ctx.now);
    await store.commit();
    return { status: 200, body: { message: 'Workspace starting', workspaceId: w.id, status: w.status } };
  });

  router.add('POST', '/api/v1/workspaces/:id/stop', ['workspaces:write'], async (ctx) => {
    parseQuery(ctx.query, []);
    const w = model.getWorkspace(ctx.user, ctx.params.id);
    editable(ctx.user, w);
    if (w.status !== 'running' && w.status !== 'pending') {
      throw errors.conflict(`Only a running or provisioning workspace can be stopped (current status: ${w.status})`, { status: w.status });
    }
    model.stopCompute(w, ctx.now);
    w.updatedAt = ctx.now;
    const project = w.projectId && store.projects.get(w.projectId);
    model.recordActivity(project, ctx.user, 'workspace.stopped', 'workspace', w.id, {}, ctx.now);
    await store.commit();
    return { status: 200, body: { message: 'Workspace stopping', workspaceId: w.id, status: w.status } };
  });

  router.add('POST', '/api/v1/workspaces/:id/restart', ['workspaces:write'], async (ctx) => {
    parseQuery(ctx.query, []);
    const w = model.getWorkspace(ctx.user, ctx.params.id);
    editable(ctx.user, w);
    if (w.status !== 'running') {
      throw errors.conflict(`Only a running workspace can be restarted (current status: ${w.status})`, { status: w.status });
    }
    const project = w.projectId && store.projects.get(w.projectId);
    if (project && project.status === 'archived') throw errors.conflict('The workspace belongs to an archived project; restore the project first');
    model.stopCompute(w, ctx.now);
    model.beginProvisioning(w, ctx.now);
    w.updatedAt = ctx.now;
    model.recordActivity(project, ctx.user, 'workspace.restarted', 'workspace', w.id, {}, ctx.now);
    await store.commit();
    return { status: 200, body: { message: 'Workspace restarting', workspaceId: w.id, status: w.status } };
  });

  router.add('POST', '/api/v1/workspaces/:id/sync', ['workspaces:write'], async (ctx) => {
    parseQuery(ctx.query, []);
    const w = model.getWorkspace(ctx.user, ctx.params.id);
    editable(ctx.user, w);
    if (w.status !== 'running') {
      throw errors.conflict(`Only a running workspace can be synced (current status: ${w.status})`, { status: w.status });
    }
    const project = w.projectId && store.projects.get(w.projectId);
    const volumeIds = model.workspaceVolumeIds(w);
    if (!volumeIds.length) throw errors.conflict('The workspace has no attached volume to sync to; create a volume in its project first');
    const target = project && project.defaultDataVolumeId && volumeIds.includes(project.defaultDataVolumeId) ? project.defaultDataVolumeId : volumeIds[0];
    model.pushHistory(w, { type: 'sync', at: ctx.now, volumeId: target });
    model.recordActivity(project, ctx.user, 'workspace.synced', 'workspace', w.id, { volumeId: target }, ctx.now);
    await store.commit();
    return { status: 200, body: { message: 'Workspace sync initiated', workspaceId: w.id, volumeId: target } };
  });

  // ---- runtime views
  router.add('GET', '/api/v1/workspaces/:id/status', ['workspaces:read'], (ctx) => {
    parseQuery(ctx.query, []);
    return { status: 200, body: model.statusView(model.getWorkspace(ctx.user, ctx.params.id)) };
  });

  router.add('GET', '/api/v1/workspaces/:id/metrics', ['workspaces:read'], (ctx) => {
    parseQuery(ctx.query, []);
    const w = model.getWorkspace(ctx.user, ctx.params.id);
    if (w.status !== 'running') {
      throw errors.conflict(`Metrics are only available while the workspace is running (current status: ${w.status})`, { status: w.status });
    }
    return { status: 200, body: model.metricsView(w, ctx.now) };
  });

  router.add('GET', '/api/v1/workspaces/:id/logs', ['workspaces:read'], (ctx) => {
    const q = parseQuery(ctx.query, ['type']);
    const w = model.getWorkspace(ctx.user, ctx.params.id);
    const type = enumParam(q, 'type', ['build', 'deploy', 'pod']) || 'pod';
    return { status: 200, body: model.logsView(w, type) };
  });

  return { listWorkspaces };
}

module.exports = { register };
