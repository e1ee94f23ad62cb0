'use strict';
// /api/v1/projects routes.

const crypto = require('node:crypto');
const { errors, newId, deepEqual } = require('./util');
const { Checker, requireObjectBody, parseQuery, pagination, sorter, enumParam } = require('./validate');
const { COLLAB_ROLES, VISIBILITIES, PROJECT_STATUSES } = require('./model');
const { findUserByEmail, findUserById } = require('./auth');

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const USER_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

const P_WRITABLE_CREATE = ['name', 'description', 'category', 'visibility', 'tags'];
const P_WRITABLE_UPDATE = ['name', 'description', 'category', 'visibility', 'tags', 'defaultDataVolumeId'];
const P_VIEW_FIELDS = ['id', 'name', 'description', 'status', 'category', 'visibility', 'organizationId', 'owner', 'ownerId', 'collaborators', 'sharedWith', 'tags', 'archived', 'defaultDataVolumeId', 'attachedVolumeIds', 'createdAt', 'updatedAt'];

function register(router, model, { listWorkspaces }) {
  const store = model.store;

  const requireEdit = (user, p) => {
    if (!model.canEditProject(user, p)) throw errors.forbidden('You do not have write access to this project');
  };
  const requireManage = (user, p) => {
    if (!model.canManageProject(user, p)) throw errors.forbidden('Only the project owner or a project admin can do this');
  };
  const requireActive = (p) => {
    if (p.status === 'archived') throw errors.conflict('The project is archived; restore it first', { status: p.status });
  };

  function checkCommon(c, creating) {
    return {
      name: c.string('name', { required: creating, nonBlank: true, trim: true, max: 200 }),
      description: c.string('description', { required: creating, max: 5000 }),
      category: c.string('category', { nullable: true, nonBlank: true, trim: true, max: 100 }),
      visibility: c.enumOf('visibility', VISIBILITIES),
      tags: c.stringList('tags', { maxItems: 50, maxLen: 50 }),
    };
  }

  // ---- list
  router.add('GET', '/api/v1/projects', ['projects:read'], (ctx) => {
    const q = parseQuery(ctx.query, ['search', 'status', 'category', 'tag', 'limit', 'offset', 'sort']);
    const { limit, offset } = pagination(q, 20);
    const status = enumParam(q, 'status', PROJECT_STATUSES);
    const cmp = sorter(q, ['createdAt', 'updatedAt', 'name', 'status']);
    const search = (q.search || '').trim().toLowerCase();
    const category = q.category !== undefined ? q.category.trim().toLowerCase() : undefined;
    const tag = q.tag !== undefined ? q.tag.trim().toLowerCase() : undefined;
    const rows = [];
    for (const p of store.projects.values()) {
      if (!model.canSeeProject(ctx.user, p)) continue;
      if (status && p.status !== status) continue;
      if (category !== undefined && (p.category || '').toLowerCase() !== category) continue;
      if (tag !== undefined && !p.tags.some((t) => t.toLowerCase() === tag)) continue;
      if (search && !p.name.toLowerCase().includes(search) && !p.description.toLowerCase().includes(search)) continue;
      rows.push({ seq: p.seq, view: model.projectView(p) });
    }
    rows.sort(cmp);
    return { status: 200, body: { count: rows.length, limit, offset, projects: rows.slice(offset, offset + limit).map((r) => r.view) } };
  });

  // ---- create
  router.add('POST', '/api/v1/projects', ['projects:write'], async (ctx) => {
    const body = requireObjectBody(ctx.body);
    const c = new Checker(body);
    c.keys(P_WRITABLE_CREATE, P_VIEW_FIELDS, null);
    const f = checkCommon(c, true);
    c.done();
    const now = ctx.now;
    const u = ctx.user;
    const p = {
      id: newId('proj', store.projects),
      seq: store.nextSeq(),
      name: f.name,
      description: f.description,
      status: 'active',
      category: f.category === undefined ? null : f.category,
      visibility: f.visibility || 'organization',
      organizationId: u.organizationId,
      ownerId: u.id,
      ownerName: u.name,
      tags: f.tags || [],
      collaborators: [{ userId: u.id, email: u.email, role: 'owner', isOwner: true, grantedAt: now, grantedBy: u.id }],
      defaultDataVolumeId: null,
      attachedVolumeIds: [],
      createdAt: now,
      updatedAt: now,
      activity: [],
    };
    store.projects.set(p.id, p);
    model.recordActivity(p, u, 'project.created', 'project', p.id, { name: p.name }, now);
    await store.commit();
    return { status: 201, headers: { Location: `/api/v1/projects/${p.id}` }, body: model.projectView(p) };
  });

  // ---- retrieve
  router.add('GET', '/api/v1/projects/:id', ['projects:read'], (ctx) => {
    parseQuery(ctx.query, []);
    return { status: 200, body: model.projectView(model.getProject(ctx.user, ctx.params.id)) };
  });

  // ---- update
  router.add('PUT', '/api/v1/projects/:id', ['projects:write'], async (ctx) => {
    parseQuery(ctx.query, []);
    const p = model.getProject(ctx.user, ctx.params.id);
    requireEdit(ctx.user, p);
    const body = requireObjectBody(ctx.body);
    const current = model.projectView(p);
    const c = new Checker(body);
    c.keys(P_WRITABLE_UPDATE, P_VIEW_FIELDS, current);
    const f = checkCommon(c, false);
    const dv = c.string('defaultDataVolumeId', { nullable: true, nonBlank: true, max: 100 });
    if (dv && !p.attachedVolumeIds.includes(dv)) c.fail('defaultDataVolumeId', `volume '${dv}' is not attached to this project`);
    c.done();

    const changes = {};
    if (f.name !== undefined && f.name !== p.name) changes.name = f.name;
    if (f.description !== undefined && f.description !== p.description) changes.description = f.description;
    if (f.category !== undefined && f.category !== p.category) changes.category = f.category;
    if (f.visibility !== undefined && f.visibility !== p.visibility) changes.visibility = f.visibility;
    if (f.tags !== undefined && !deepEqual(f.tags, p.tags)) changes.tags = f.tags;
    if (dv !== undefined && dv !== p.defaultDataVolumeId) changes.defaultDataVolumeId = dv;
    if (Object.keys(changes).length) {
      requireActive(p);
      if (changes.visibility !== undefined) requireManage(ctx.user, p);
      Object.assign(p, changes);
      p.updatedAt = ctx.now;
      model.recordActivity(p, ctx.user, 'project.updated', 'project', p.id, { fields: Object.keys(changes) }, ctx.now);
      await store.commit();
    }
    return { status: 200, body: model.projectView(p) };
  });

  // ---- delete
  router.add('DELETE', '/api/v1/projects/:id', ['projects:write'], async (ctx) => {
    parseQuery(ctx.query, []);
    const p = model.getProject(ctx.user, ctx.params.id);
    requireManage(ctx.user, p);
    let workspaceCount = 0;
    for (const w of store.workspaces.values()) if (w.projectId === p.id) workspaceCount++;
    const volumeCount = p.attachedVolumeIds.length;
    if (workspaceCount || volumeCount) {
      throw errors.conflict(
        `The project still has ${workspaceCount} workspace(s) and ${volumeCount} volume(s); delete them first`,
        { workspaceCount, volumeCount },
      );
    }
    store.projects.delete(p.id);
    await store.commit();
    return { status: 204 };
  });

  // ---- archive / restore
  router.add('POST', '/api/v1/projects/:id/archive', ['projects:write'], async (ctx) => {
    parseQuery(ctx.query, []);
    const p = model.getProject(ctx.user, ctx.params.id);
    requireManage(ctx.user, p);
    if (p.status === 'archived') throw errors.conflict('The project is already archived', { status: p.status });
    const active = [...store.workspaces.values()].filter((w) => w.projectId === p.id && (w.status === 'running' || w.status === 'pending'));
    if (active.length) {
      throw errors.conflict(`The project has ${active.length} running or provisioning workspace(s); stop them first`, {
        workspaceIds: active.map((w) => w.id),
      });
    }
    p.status = 'archived';
    p.updatedAt = ctx.now;
    model.recordActivity(p, ctx.user, 'project.archived', 'project', p.id, {}, ctx.now);
    await store.commit();
    return { status: 200, body: { message: 'Project archived', projectId: p.id, status: p.status, archived: true } };
  });

  router.add('POST', '/api/v1/projects/:id/restore', ['projects:write'], async (ctx) => {
    parseQuery(ctx.query, []);
    const p = model.getProject(ctx.user, ctx.params.id);
    requireManage(ctx.user, p);
    if (p.status !== 'archived') throw errors.conflict('The project is not archived', { status: p.status });
    p.status = 'active';
    p.updatedAt = ctx.now;
    model.recordActivity(p, ctx.user, 'project.restored', 'project', p.id, {}, ctx.now);
    await store.commit();
    return { status: 200, body: { message: 'Project restored', projectId: p.id, status: p.status, archived: false } };
  });

  // ---- stats / activity
  router.add('GET', '/api/v1/projects/:id/stats', ['projects:read'], (ctx) => {
    parseQuery(ctx.query, []);
    const p = model.getProject(ctx.user, ctx.params.id);
    let workspaceCount = 0;
    let activeWorkspaces = 0;
    for (const w of store.workspaces.values()) {
      if (w.projectId !== p.id) continue;
      workspaceCount++;
      if (w.status === 'running') activeWorkspaces++;
    }
    let total = 0;
    for (const id of p.attachedVolumeIds) {
      const v = store.volumes.get(id);
      if (v) total += v.sizeGb;
    }
    return {
      status: 200,
      body: {
        projectId: p.id,
        workspaceCount,
        volumeCount: p.attachedVolumeIds.length,
        totalStorageGb: Math.round(total * 1000) / 1000,
        activeWorkspaces,
      },
    };
  });

  router.add('GET', '/api/v1/projects/:id/activity', ['projects:read'], (ctx) => {
    const q = parseQuery(ctx.query, ['limit', 'offset']);
    const { limit, offset } = pagination(q, 20);
    const p = model.getProject(ctx.user, ctx.params.id);
    const all = p.activity;
    const page = [];
    for (let i = all.length - 1 - offset; i >= 0 && page.length < limit; i--) page.push(model.activityView(all[i], p.id));
    return { status: 200, body: { count: all.length, limit, offset, activity: page } };
  });

  // ---- collaborators
  router.add('GET', '/api/v1/projects/:id/collaborators', ['projects:read'], (ctx) => {
    parseQuery(ctx.query, []);
    const p = model.getProject(ctx.user, ctx.params.id);
    const list = p.collaborators.map((c) => model.collaboratorView(c));
    return { status: 200, body: { count: list.length, collaborators: list } };
  });

  router.add('POST', '/api/v1/projects/:id/collaborators', ['projects:write'], async (ctx) => {
    parseQuery(ctx.query, []);
    const p = model.getProject(ctx.user, ctx.params.id);
    requireManage(ctx.user, p);
    const body = requireObjectBody(ctx.body);
    const c = new Checker(body);
    c.keys(['email', 'role', 'userId'], ['isOwner', 'grantedAt', 'grantedBy'], null);
    const emailRaw = c.string('email', { required: true, nonBlank: true, trim: true, max: 254, pattern: EMAIL_RE, patternMsg: 'must be an email address' });
    const role = c.enumOf('role', COLLAB_ROLES, { required: true });
    const userIdGiven = c.string('userId', { nonBlank: true, trim: true, max: 64, pattern: USER_ID_RE, patternMsg: 'must contain only letters, digits, "_" and "-"' });
    c.done();
    requireActive(p);
    const email = emailRaw.toLowerCase();
    const org = p.organizationId;
    const member = findUserByEmail(org, email);
    let userId;
    if (member) {
      if (userIdGiven && userIdGiven !== member.id) {
        throw errors.validation('Request body failed validation', [{ field: 'userId', message: `does not match the user with email '${email}'` }]);
      }
      userId = member.id;
    } else if (userIdGiven) {
      const byId = findUserById(org, userIdGiven);
      if (byId) {
        throw errors.validation('Request body failed validation', [{ field: 'userId', message: `does not match the user with email '${email}'` }]);
      }
      userId = userIdGiven;
    } else {
      // Not (yet) a member of the organization: recorded as an invited user
      // with a stable id derived from the organization and the email.
      userId = `user_${crypto.createHash('sha256').update(`${org}:${email}`).digest('hex').slice(0, 12)}`;
    }
    if (userId === p.ownerId) throw errors.conflict('This user is the project owner');
    if (p.collaborators.some((x) => x.userId === userId || x.email === email)) {
      throw errors.conflict('This user is already a collaborator on the project');
    }
    const collab = { userId, email, role, isOwner: false, grantedAt: ctx.now, grantedBy: ctx.user.id };
    p.collaborators.push(collab);
    p.updatedAt = ctx.now;
    model.recordActivity(p, ctx.user, 'collaborator.added', 'collaborator', userId, { email, role }, ctx.now);
    await store.commit();
    return {
      status: 201,
      headers: { Location: `/api/v1/projects/${p.id}/collaborators/${userId}` },
      body: model.collaboratorView(collab),
    };
  });

  const findCollab = (p, userId) => {
    const c = p.collaborators.find((x) => x.userId === userId);
    if (!c) throw errors.notFound(`User '${userId}' is not a collaborator on this project`);
    return c;
  };

  router.add('PUT', '/api/v1/projects/:id/collaborators/:userId', ['projects:write'], async (ctx) => {
    parseQuery(ctx.query, []);
    const p = model.getProject(ctx.user, ctx.params.id);
    requireManage(ctx.user, p);
    const collab = findCollab(p, ctx.params.userId);
    const body = requireObjectBody(ctx.body);
    const c = new Checker(body);
    c.keys(['role'], ['userId', 'email', 'isOwner', 'grantedAt', 'grantedBy'], model.collaboratorView(collab));
    const role = c.enumOf('role', COLLAB_ROLES, { required: true });
    c.done();
    if (collab.isOwner) throw errors.conflict("The project owner's role cannot be changed");
    requireActive(p);
    if (collab.role !== role) {
      const from = collab.role;
      collab.role = role;
      p.updatedAt = ctx.now;
      model.recordActivity(p, ctx.user, 'collaborator.role_updated', 'collaborator', collab.userId, { from, to: role }, ctx.now);
      await store.commit();
    }
    return { status: 200, body: model.collaboratorView(collab) };
  });

  router.add('DELETE', '/api/v1/projects/:id/collaborators/:userId', ['projects:write'], async (ctx) => {
    parseQuery(ctx.query, []);
    const p = model.getProject(ctx.user, ctx.params.id);
    requireManage(ctx.user, p);
    const collab = findCollab(p, ctx.params.userId);
    if (collab.isOwner) throw errors.conflict('The project owner cannot be removed');
    requireActive(p);
    p.collaborators = p.collaborators.filter((x) => x !== collab);
    p.updatedAt = ctx.now;
    model.recordActivity(p, ctx.user, 'collaborator.removed', 'collaborator', collab.userId, { email: collab.email }, ctx.now);
    await store.commit();
    return { status: 204 };
  });

  // ---- project volumes / workspaces
  router.add('GET', '/api/v1/projects/:id/volumes', ['projects:read', 'volumes:read'], (ctx) => {
    parseQuery(ctx.query, []);
    const p = model.getProject(ctx.user, ctx.params.id);
    const vols = p.attachedVolumeIds.map((id) => store.volumes.get(id)).filter(Boolean).map((v) => model.volumeView(v));
    return { status: 200, body: { count: vols.length, volumes: vols } };
  });

  router.add('GET', '/api/v1/projects/:id/workspaces', ['projects:read', 'workspaces:read'], (ctx) => {
    const q = parseQuery(ctx.query, ['search', 'status', 'limit', 'offset', 'sort']);
    const p = model.getProject(ctx.user, ctx.params.id);
    return listWorkspaces(ctx, q, p.id);
  });
}

module.exports = { register };
