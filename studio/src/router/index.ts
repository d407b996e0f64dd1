import {
  createRouter,
  createWebHistory,
  createMemoryHistory,
  type RouteRecordRaw,
  type Router,
} from 'vue-router';
import type { Api } from '../api/client';
import { ApiProblem } from '../api/problem';
import { useSession } from '../stores/session';

/**
 * Routes. End-user screens live under /o/:object; admin editors under /setup (later issues add
 * /setup/pipelines, /setup/approvals, /inbox … beside them).
 */
export const routes: RouteRecordRaw[] = [
  {
    path: '/login',
    name: 'login',
    component: () => import('../screens/LoginScreen.vue'),
    meta: { public: true },
  },
  {
    path: '/',
    component: () => import('../screens/AppShell.vue'),
    children: [
      { path: '', name: 'home', component: () => import('../screens/HomeScreen.vue') },
      { path: 'o/:object', name: 'list', component: () => import('../screens/ListScreen.vue') },
      {
        path: 'o/:object/new',
        name: 'record-new',
        component: () => import('../screens/RecordFormScreen.vue'),
        props: { mode: 'create' },
      },
      { path: 'o/:object/r/:id', name: 'record', component: () => import('../screens/RecordPage.vue') },
      {
        path: 'o/:object/r/:id/edit',
        name: 'record-edit',
        component: () => import('../screens/RecordFormScreen.vue'),
        props: { mode: 'edit' },
      },
      { path: 'setup', redirect: { name: 'setup-objects' } },
      {
        path: 'setup/objects',
        name: 'setup-objects',
        component: () => import('../editors/ObjectManager.vue'),
        meta: { admin: true },
      },
      {
        path: 'setup/objects/new',
        name: 'setup-object-new',
        component: () => import('../editors/ObjectEditor.vue'),
        meta: { admin: true },
      },
      {
        path: 'setup/objects/:name',
        name: 'setup-object',
        component: () => import('../editors/ObjectEditor.vue'),
        meta: { admin: true },
      },
      {
        path: 'setup/users',
        name: 'setup-users',
        component: () => import('../setup/users/UsersScreen.vue'),
        meta: { admin: true },
      },
      {
        path: 'setup/roles',
        name: 'setup-roles',
        component: () => import('../setup/roles/RolesScreen.vue'),
        meta: { admin: true },
      },
      {
        path: 'setup/profiles/:name?',
        name: 'setup-profiles',
        component: () => import('../setup/profiles/ProfilesScreen.vue'),
        meta: { admin: true },
      },
      {
        path: 'setup/sharing',
        name: 'setup-sharing',
        component: () => import('../setup/sharing/SharingScreen.vue'),
        meta: { admin: true },
      },
      {
        path: 'setup/processes',
        name: 'setup-processes',
        component: () => import('../pipeline/setup/ProcessesSetup.vue'),
        meta: { admin: true },
      },
      {
        path: 'setup/processes/:object/pipelines/:name',
        name: 'setup-pipeline',
        component: () => import('../pipeline/setup/PipelineEditor.vue'),
        meta: { admin: true },
      },
      {
        path: 'setup/processes/:object/types/:name',
        name: 'setup-type',
        component: () => import('../pipeline/setup/BusinessTypeEditor.vue'),
        meta: { admin: true },
      },
      {
        path: 'setup/approvals',
        name: 'setup-approvals',
        component: () => import('../approvals/setup/FlowsSetup.vue'),
        meta: { admin: true },
      },
      {
        path: 'setup/approvals/:object/:name',
        name: 'setup-approval-flow',
        component: () => import('../approvals/setup/FlowEditor.vue'),
        meta: { admin: true },
      },
      {
        path: 'setup/versions',
        name: 'setup-versions',
        component: () => import('../editors/VersionsView.vue'),
        meta: { admin: true },
      },
      { path: 'forbidden', name: 'forbidden', component: () => import('../screens/Forbidden.vue') },
      { path: ':rest(.*)*', name: 'not-found', component: () => import('../screens/NotFound.vue') },
    ],
  },
];

export function makeRouter(api: Api, memory = false): Router {
  const router = createRouter({ history: memory ? createMemoryHistory() : createWebHistory(), routes });
  router.beforeEach(async (to) => {
    if (to.meta.public) return true;
    const session = useSession();
    if (!session.token) return { name: 'login', query: { redirect: to.fullPath } };
    try {
      await session.restore(api);
    } catch (e) {
      // Offline or server down: let the shell show the network error instead of bouncing to login.
      if (e instanceof ApiProblem && e.status === 401)
        return { name: 'login', query: { redirect: to.fullPath } };
      if (!session.me) return true;
    }
    if (to.meta.admin && !session.isAdmin) return { name: 'forbidden' };
    return true;
  });
  return router;
}
