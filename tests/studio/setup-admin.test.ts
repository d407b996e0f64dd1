// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { h } from 'vue';
import { createMemoryHistory, createRouter, RouterView } from 'vue-router';
import type {
  DeployResult,
  ObjectDef,
  PackageDef,
  ProfileDef,
  RoleDef,
  UserRow,
} from '../../studio/src/api/types';
import FieldEditor from '../../studio/src/editors/FieldEditor.vue';
import LayoutEditor from '../../studio/src/editors/LayoutEditor.vue';
import ObjectEditor from '../../studio/src/editors/ObjectEditor.vue';
import VersionsView from '../../studio/src/editors/VersionsView.vue';
import { ApiProblem } from '../../studio/src/api/problem';
import en from '../../studio/src/i18n/en.json';
import RecordFormScreen from '../../studio/src/screens/RecordFormScreen.vue';
import RecordTable from '../../studio/src/screens/RecordTable.vue';
import ErrorState from '../../studio/src/screens/ErrorState.vue';
import GlobalSearch from '../../studio/src/search/GlobalSearch.vue';
import ListView from '../../studio/src/screens/ListView.vue';
import RecordDetails from '../../studio/src/screens/RecordDetails.vue';
import { makeI18n } from '../../studio/src/i18n';
import zh from '../../studio/src/i18n/zh-CN.json';
import { securityChanges } from '../../studio/src/setup/changes';
import ProfilesScreen from '../../studio/src/setup/profiles/ProfilesScreen.vue';
import {
  baseLevelOf,
  fieldAccess,
  setPermission,
  withFieldAccess,
  withObjectPermissions,
} from '../../studio/src/setup/profiles/permissions';
import RolesScreen from '../../studio/src/setup/roles/RolesScreen.vue';
import { canReparent, removeBlockers, reparent, roleTree } from '../../studio/src/setup/roles/tree';
import { toCriteria, toFilter } from '../../studio/src/setup/sharing/criteria';
import SharingScreen from '../../studio/src/setup/sharing/SharingScreen.vue';
import UsersScreen from '../../studio/src/setup/users/UsersScreen.vue';
import { userFormErrors, type UserForm } from '../../studio/src/setup/users/validate';
import { ACCOUNT, ALL_TYPES, flush, setup, type ApiOverrides } from './setup';

/**
 * The setup screens an administrator finishes setup with: users, roles, profiles, sharing, and
 * the access question of a new object. Their logic, and each screen against a fake API.
 */
const settle = async (ms = 0) => {
  for (let i = 0; i < 4; i++) await flush();
  if (ms) await new Promise((r) => setTimeout(r, ms));
  await flush();
};
const $ = <E extends Element = HTMLElement>(sel: string) => document.body.querySelector<E>(sel);
const $$ = (sel: string) => Array.from(document.body.querySelectorAll<HTMLElement>(sel));
const click = async (el: Element | null | undefined) => {
  expect(el, 'element to click').toBeTruthy();
  (el as HTMLElement).click();
  await settle();
};
const type = async (el: Element | null, value: string) => {
  expect(el, 'input').toBeTruthy();
  const input = el as HTMLInputElement;
  input.value = value;
  input.dispatchEvent(new Event('input'));
  await settle();
};
afterEach(() => {
  document.body.innerHTML = '';
});

const ROLES: RoleDef[] = [
  { name: 'director', label: { en: 'Director', 'zh-CN': '总监' } },
  { name: 'mgr_east', label: { en: 'Manager, East', 'zh-CN': '华东经理' }, parent: 'director' },
  { name: 'rep_east', label: { en: 'Rep, East', 'zh-CN': '华东代表' }, parent: 'mgr_east' },
  { name: 'mgr_north', label: { en: 'Manager, North', 'zh-CN': '华北经理' }, parent: 'director' },
];
const PROFILES: ProfileDef[] = [
  {
    name: 'sales_rep',
    label: { en: 'Sales Rep', 'zh-CN': '销售代表' },
    objects: { account: { read: true, create: true, edit: true } },
  },
  { name: 'read_only', label: { en: 'Read Only', 'zh-CN': '只读' }, objects: { account: { read: true } } },
];
const SECURE_PKG: PackageDef = {
  objects: [
    ALL_TYPES,
    {
      ...ACCOUNT,
      fields: [
        ...ACCOUNT.fields,
        {
          name: 'region',
          label: { en: 'Region', 'zh-CN': '区域' },
          type: 'picklist',
          options: [
            { value: 'east', label: { en: 'East', 'zh-CN': '华东' } },
            { value: 'north', label: { en: 'North', 'zh-CN': '华北' } },
          ],
        },
      ],
    },
  ],
  roles: ROLES,
  profiles: PROFILES,
};
const USERS_ROWS: UserRow[] = [
  { id: 'u1', username: 'admin', display_name: 'Admin', is_admin: true, active: true },
  {
    id: 'u2',
    username: 'chen',
    display_name: '陈静',
    role: 'rep_east',
    profile: 'sales_rep',
    manager: 'u3',
    active: true,
  },
  { id: 'u3', username: 'li', display_name: 'Li Hua', role: 'mgr_east', profile: 'sales_rep', active: true },
];

const tEn = makeI18n('en').global.t as (k: string, p?: Record<string, unknown>) => string;
const tZh = makeI18n('zh-CN').global.t as (k: string, p?: Record<string, unknown>) => string;

// --------------------------------------------------------------------------------------------
describe('permission rules', () => {
  it('a permission brings what it needs, and taking one away takes what depends on it', () => {
    expect(setPermission({}, 'create', true)).toEqual({ create: true, read: true });
    expect(setPermission({}, 'modifyAll', true)).toEqual({
      modifyAll: true,
      read: true,
      edit: true,
      delete: true,
      viewAll: true,
    });
    expect(setPermission({}, 'transfer', true)).toEqual({ transfer: true, read: true, edit: true });
    const all = setPermission(setPermission({}, 'modifyAll', true), 'transfer', true);
    expect(setPermission(all, 'edit', false)).toEqual({ read: true, delete: true, viewAll: true });
    expect(setPermission(all, 'read', false)).toEqual({});
  });

  it('stores only what differs from the defaults', () => {
    const p = PROFILES[1];
    expect(withObjectPermissions(p, 'account', {}).objects).toEqual({});
    const hidden = withFieldAccess(p, 'account', 'name', 'none');
    expect(hidden.fields).toEqual({ account: { name: 'none' } });
    expect(fieldAccess(hidden, 'account', 'name')).toBe('none');
    expect(fieldAccess(hidden, 'account', 'region')).toBe('edit');
    expect(withFieldAccess(hidden, 'account', 'name', 'edit').fields).toBeUndefined();
    expect(baseLevelOf({ read: true, create: true, edit: true, viewAll: true })).toBe('edit');
    expect(baseLevelOf({ read: true, delete: true })).toBe('custom');
  });
});

describe('role hierarchy', () => {
  it('builds the tree and refuses a move that would make a loop', () => {
    const tree = roleTree(ROLES);
    expect(tree.map((n) => n.name)).toEqual(['director']);
    expect(tree[0].children.map((n) => n.name)).toEqual(['mgr_east', 'mgr_north']);
    expect(canReparent(ROLES, 'director', 'rep_east')).toBe(false);
    expect(canReparent(ROLES, 'mgr_east', 'mgr_east')).toBe(false);
    expect(canReparent(ROLES, 'rep_east', 'mgr_north')).toBe(true);
    expect(() => reparent(ROLES, 'director', 'rep_east')).toThrow();
    const moved = reparent(ROLES, 'rep_east', undefined);
    expect(moved.find((r) => r.name === 'rep_east')).not.toHaveProperty('parent');
    expect(removeBlockers(ROLES, 'mgr_east', 0, 0)).toEqual({ children: 1, users: 0, rules: 0 });
    expect(removeBlockers(ROLES, 'mgr_north', 0, 0)).toBeNull();
  });
});

describe('sharing rule criteria', () => {
  it('reads the filters it can show and leaves the rest to JSON', () => {
    const account = SECURE_PKG.objects[1];
    expect(toCriteria({ region: { in: ['east', 'north'] } }, account)).toEqual([
      { field: 'region', values: ['east', 'north'] },
    ]);
    expect(toCriteria({ region: 'east' }, account)).toEqual([{ field: 'region', values: ['east'] }]);
    expect(toCriteria({ or: [{ region: 'east' }] }, account)).toBeNull();
    expect(toCriteria({ region: { ne: 'east' } }, account)).toBeNull();
    expect(toFilter([{ field: 'region', values: ['east'] }])).toEqual({ region: { eq: 'east' } });
    expect(toFilter([{ field: 'region', values: ['east', 'north'] }])).toEqual({
      region: { in: ['east', 'north'] },
    });
  });
});

describe('user form', () => {
  const form = (f: Partial<UserForm>): UserForm => ({
    displayName: 'Wang',
    username: 'wang',
    email: '',
    password: 'long-enough',
    role: '',
    profile: '',
    manager: '',
    isAdmin: false,
    ...f,
  });
  it('names every problem before anything is sent, in both languages', () => {
    expect(userFormErrors(form({}), true, USERS_ROWS, undefined, tEn)).toEqual({});
    const bad = userFormErrors(
      form({ displayName: ' ', username: 'Chen', email: 'x', password: 'short' }),
      true,
      USERS_ROWS,
      undefined,
      tEn,
    );
    expect(bad).toEqual({
      displayName: "Enter the user's full name.",
      username: 'This user name is taken.',
      email: 'Enter an e-mail address such as name@example.com.',
      password: 'At least 8 characters.',
    });
    expect(userFormErrors(form({ username: '-x' }), true, [], undefined, tZh).username).toBe(
      '只能使用字母、数字及 . _ @ -，并以字母或数字开头（最多 64 个字符）。',
    );
    // Editing: the user name and password are not asked for again.
    expect(userFormErrors(form({ username: '', password: '' }), false, USERS_ROWS, 'u2', tEn)).toEqual({});
  });
});

describe('what a security deploy changes, in words', () => {
  it('roles, profiles, fields and sharing, in English and Chinese', () => {
    const next: PackageDef = structuredClone(SECURE_PKG);
    next.roles = reparent(next.roles!, 'rep_east', 'mgr_north');
    next.roles.push({ name: 'intern', label: { en: 'Intern', 'zh-CN': '实习生' }, parent: 'rep_east' });
    next.profiles![0] = withObjectPermissions(next.profiles![0], 'gadget', { read: true, create: true });
    next.profiles![0] = withFieldAccess(next.profiles![0], 'account', 'region', 'read');
    next.profiles![1] = withObjectPermissions(next.profiles![1], 'account', {});
    next.objects[1] = {
      ...next.objects[1],
      sharing: {
        default: 'public_read',
        rules: [{ name: 'east', filter: { region: 'east' }, role: 'mgr_east', access: 'read' }],
      },
    };
    expect(securityChanges(SECURE_PKG, next, tEn, 'en')).toEqual([
      '“Rep, East” now reports to Manager, North',
      'New role “Intern”, reporting to Rep, East',
      'Sales Rep gains Read, Create on Gadgets',
      'Sales Rep: “Region” of Accounts becomes Read only',
      'Read Only loses Read on Accounts',
      'Accounts: Public read only: everyone reads, the owner edits',
      'Accounts: new sharing rule “east”',
    ]);
    const zhLines = securityChanges(SECURE_PKG, next, tZh, 'zh-CN');
    expect(zhLines).toContain('销售代表获得“装置”的查看、新建权限');
    expect(zhLines).toContain('只读失去“客户”的查看权限');
    expect(zhLines).toContain('“华东代表”的上级改为华北经理');
    expect(securityChanges(SECURE_PKG, structuredClone(SECURE_PKG), tEn, 'en')).toEqual([]);
  });
});

describe('setup strings', () => {
  it('every message compiles and is written in its own language', () => {
    const walk = (o: Record<string, unknown>, pre = ''): string[] =>
      Object.entries(o).flatMap(([k, v]) =>
        v && typeof v === 'object' ? walk(v as Record<string, unknown>, `${pre}${k}.`) : [`${pre}${k}`],
      );
    const keys = walk(en.admin as Record<string, unknown>, 'admin.');
    expect(walk(zh.admin as Record<string, unknown>, 'admin.').sort()).toEqual([...keys].sort());
    const params = {
      n: 2,
      name: 'X',
      role: 'R',
      profile: 'P',
      object: 'O',
      field: 'F',
      min: 8,
      access: 'A',
      perms: 'Q',
      rule: 'U',
      parent: 'V',
      from: 'W',
      values: 'Y',
      why: 'Z',
      which: 'B',
    };
    for (const k of keys) {
      const e = tEn(k, params);
      const z = tZh(k, params);
      expect(e, k).not.toBe(k);
      expect(/[\u4e00-\u9fff]/.test(e), `${k}: ${e}`).toBe(false);
      if (!['admin.listSep', 'admin.sharing.and', 'admin.changes.owd', 'admin.sharing.summary'].includes(k))
        expect(/[\u4e00-\u9fff]/.test(z), `${k}: ${z}`).toBe(true);
    }
  });
});

// --------------------------------------------------------------------------------------------
/** A router whose setup routes hold the screen under test. */
async function mountScreen(
  lang: 'en' | 'zh-CN',
  path: string,
  api: ApiOverrides,
  opts: { narrow?: boolean } = {},
) {
  const ctx = setup(lang, { api, narrow: opts.narrow });
  ctx.meta.pkg = structuredClone(SECURE_PKG);
  const blank = { render: () => h('div') };
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/setup/users', name: 'setup-users', component: UsersScreen },
      { path: '/setup/roles', name: 'setup-roles', component: RolesScreen },
      { path: '/setup/profiles/:name?', name: 'setup-profiles', component: ProfilesScreen },
      { path: '/setup/sharing', name: 'setup-sharing', component: SharingScreen },
      { path: '/setup/objects/new', name: 'setup-object-new', component: ObjectEditor },
      { path: '/setup/objects/:name', name: 'setup-object', component: ObjectEditor },
      { path: '/:rest(.*)*', name: 'any', component: blank },
    ],
  });
  await router.push(path);
  const w = ctx.mount({ render: () => h(RouterView) }, { global: { plugins: [router] } });
  await settle(20);
  return { ...ctx, w, router };
}

const planOk = (applied = false): { data: DeployResult; body: object; etag: null; status: number } => ({
  data: { applied, version: applied ? 4 : 3, previousVersion: 3, hash: 'h', steps: [], issues: [] },
  body: {},
  etag: null,
  status: 200,
});
/** The deployPackage fake: records each package, plans and deploys nothing else. */
function deployFake(sent: { pkg: PackageDef; dryRun: boolean }[]) {
  return {
    deployPackage: async (pkg: PackageDef, o: { dryRun: boolean }) => {
      sent.push({ pkg: JSON.parse(JSON.stringify(pkg)) as PackageDef, dryRun: o.dryRun });
      return planOk(!o.dryRun);
    },
    meta: async () => ({
      data: { version: 4, hash: 'h', package: sent.at(-1)!.pkg },
      body: {},
      etag: null,
      status: 200,
    }),
    users: async () => ({ data: USERS_ROWS, body: {}, etag: null, status: 200 }),
  };
}

describe('Users screen', () => {
  it('lists users with their profile, role and manager by label; suspends after asking', async () => {
    const updates: unknown[] = [];
    await mountScreen('en', '/setup/users', {
      users: async () => ({ data: USERS_ROWS, body: {}, etag: null, status: 200 }),
      updateUser: async (id: string, patch: Record<string, unknown>) => {
        updates.push([id, patch]);
        return { data: { ...USERS_ROWS[1], ...patch }, body: {}, etag: null, status: 200 };
      },
    });
    const table = $('[data-testid="users-table"]')!.textContent!;
    expect(table).toContain('陈静');
    expect(table).toContain('Sales Rep');
    expect(table).toContain('Rep, East');
    expect(table).toContain('Li Hua'); // 陈静's manager, by name
    expect(table).not.toContain('rep_east');
    await click($('[data-testid="toggle-user-chen"]'));
    await settle(50);
    expect($('.el-message-box')!.textContent).toContain('陈静 will be signed out at once');
    await click($('.el-message-box .el-button--primary'));
    await settle(50);
    expect(updates).toEqual([['u2', { active: false }]]);
    expect($('[data-testid="user-row-chen"]')!.parentElement!.textContent).toContain('Suspended');
  });

  it('a new user: errors show on save and go as soon as the field is fixed (Chinese)', async () => {
    const created: unknown[] = [];
    await mountScreen('zh-CN', '/setup/users', {
      users: async () => ({ data: USERS_ROWS, body: {}, etag: null, status: 200 }),
      createUser: async (u: Record<string, unknown>) => {
        created.push(u);
        return {
          data: { id: 'u9', username: u.username, display_name: u.displayName },
          body: {},
          etag: null,
          status: 201,
        };
      },
    });
    await click($('[data-testid="new-user"]'));
    await click($('[data-testid="user-save"]'));
    await settle(150);
    const errors = () =>
      $$('[data-testid="user-dialog"] .el-form-item__error').map((e) => e.textContent!.trim());
    expect(errors()).toEqual(['请输入用户姓名。', '请输入用户名。', '至少 8 个字符。']);
    await type($('input[data-testid="user-display-name"]'), '王芳');
    await settle(150);
    expect(errors()).toEqual(['请输入用户名。', '至少 8 个字符。']);
    await type($('input[data-testid="user-username"]'), 'wangfang');
    await type($('input[data-testid="user-password"]'), 'a-long-password');
    await settle(150);
    expect(errors()).toEqual([]);
    await click($('[data-testid="user-save"]'));
    await settle(50);
    expect(created).toEqual([
      {
        displayName: '王芳',
        email: null,
        role: null,
        profile: null,
        manager: null,
        username: 'wangfang',
        password: 'a-long-password',
        isAdmin: false,
      },
    ]);
  });
});

describe('Roles screen', () => {
  it('moves a role under another and deploys the hierarchy with its plan', async () => {
    const sent: { pkg: PackageDef; dryRun: boolean }[] = [];
    await mountScreen('en', '/setup/roles', deployFake(sent));
    expect($('[data-testid="role-tree"]')!.textContent).toContain('Manager, East');
    await click($('[data-testid="edit-role-rep_east"]'));
    const parent = $('[data-testid="role-parent"]')!;
    // Offered parents: everyone but itself (nothing is below it).
    await click(parent.querySelector('.el-select__wrapper'));
    const options = $$('.el-select-dropdown__item').map((o) => o.textContent!.trim());
    expect(options).toEqual(['Director', 'Manager, East', 'Manager, North']);
    await click($$('.el-select-dropdown__item').find((o) => o.textContent!.includes('North')));
    await click($('[data-testid="role-save"]'));
    expect($('[data-testid="dirty"]')).toBeTruthy();
    await click($('[data-testid="review-deploy"]'));
    await settle(50);
    expect(sent.at(-1)!.dryRun).toBe(true);
    expect(sent.at(-1)!.pkg.roles!.find((r) => r.name === 'rep_east')!.parent).toBe('mgr_north');
    expect($('[data-testid="change-summary"]')!.textContent).toContain(
      '“Rep, East” now reports to Manager, North',
    );
    await click($('[data-testid="confirm-deploy"]'));
    await settle(50);
    expect(sent.at(-1)!.dryRun).toBe(false);
  });

  it('a role with users or roles below it is not removed, and says why', async () => {
    await mountScreen('zh-CN', '/setup/roles', deployFake([]));
    await click($('[data-testid="remove-role-mgr_east"]'));
    await settle(20);
    expect($('.el-message')!.textContent).toContain('“华东经理”目前有1 个下级角色、1 位用户，不能删除。');
  });
});

describe('Profiles screen', () => {
  it('ticks create on an object (read comes with it) and hides a field; deploys both', async () => {
    const sent: { pkg: PackageDef; dryRun: boolean }[] = [];
    await mountScreen('en', '/setup/profiles/sales_rep', deployFake(sent));
    const box = (k: string) => $(`[data-testid="perm-gadget-${k}"] input`) as HTMLInputElement;
    expect(box('read').checked).toBe(false);
    await click($('[data-testid="perm-gadget-create"]'));
    expect(box('read').checked).toBe(true);
    expect(box('create').checked).toBe(true);
    // Field access of accounts: region read only.
    await click($('[data-testid="fls-account"]'));
    await settle(20);
    const region = $('[data-testid="fls-account-region"]')!;
    await click(
      Array.from(region.querySelectorAll('label')).find((l) => l.textContent!.includes('Read only')),
    );
    await click($('[data-testid="review-deploy"]'));
    await settle(50);
    const rep = sent.at(-1)!.pkg.profiles!.find((p) => p.name === 'sales_rep')!;
    expect(rep.objects.gadget).toEqual({ create: true, read: true });
    expect(rep.fields).toEqual({ account: { region: 'read' } });
    const summary = $('[data-testid="change-summary"]')!.textContent!;
    expect(summary).toContain('Sales Rep gains Read, Create on Gadgets');
    expect(summary).toContain('Sales Rep: “Region” of Accounts becomes Read only');
  });
});

describe('Sharing screen', () => {
  it('changes an object’s default and adds a rule for a role and those below it (Chinese)', async () => {
    const sent: { pkg: PackageDef; dryRun: boolean }[] = [];
    await mountScreen('zh-CN', '/setup/sharing', deployFake(sent));
    await click($('[data-testid="owd-account"] .el-select__wrapper'));
    await click($$('.el-select-dropdown__item').find((o) => o.textContent!.startsWith('公开只读')));
    // Expand accounts, new rule: region is East, to Manager, East and below, read only.
    const row = $$('[data-testid="sharing-table"] tbody tr').find((r) => r.textContent!.includes('客户'))!;
    await click(row.querySelector('.el-table__expand-icon'));
    await click($('[data-testid="new-rule-account"]'));
    await type($('input[data-testid="rule-label-en"]'), 'East accounts');
    await type($('input[data-testid="rule-label-zh"]'), '华东客户');
    await click($('[data-testid="add-criterion"]'));
    await click($('[data-testid="criterion-field"] .el-select__wrapper'));
    await click($$('.el-select-dropdown__item').find((o) => o.textContent!.trim() === '区域'));
    await click($('[data-testid="criterion-values"] .el-select__wrapper'));
    await click($$('.el-select-dropdown__item').find((o) => o.textContent!.trim() === '华东'));
    await click($('[data-testid="rule-role"] .el-select__wrapper'));
    await click($$('.el-select-dropdown__item').find((o) => o.textContent!.trim() === '华东经理'));
    await click($('[data-testid="rule-subordinates"]'));
    await click($('[data-testid="rule-save"]'));
    await settle(50);
    expect($('[data-testid="rules-account"]')!.textContent).toContain('区域为华东 → 华东经理及其下级 · 只读');
    await click($('[data-testid="review-deploy"]'));
    await settle(50);
    const account = sent.at(-1)!.pkg.objects.find((o) => o.name === 'account')!;
    expect(account.sharing).toEqual({
      default: 'public_read',
      rules: [
        {
          name: 'east_accounts',
          label: { en: 'East accounts', 'zh-CN': '华东客户' },
          filter: { region: { eq: 'east' } },
          role: 'mgr_east',
          access: 'read',
          includeSubordinates: true,
        },
      ],
    });
  });
});

describe('a new object asks who may use it', () => {
  it('deploys the object and the chosen access in one package', async () => {
    const sent: { pkg: PackageDef; dryRun: boolean }[] = [];
    await mountScreen('en', '/setup/objects/new', deployFake(sent));
    await type($('input[data-testid="obj-label-en"]'), 'Site Visit');
    await type($('input[data-testid="obj-label-zh"]'), '现场拜访');
    // Nobody yet: the admin is asked before the plan, and chooses.
    await click($('[data-testid="review-deploy"]'));
    await settle(50);
    expect($('.el-message-box')!.textContent).toContain('only administrators would see it');
    await click($('.el-message-box .el-button--primary'));
    await settle(50);
    expect($('[data-testid="access-nobody"]')).toBeTruthy();
    await click($('[data-testid="access-sales_rep-edit"]'));
    expect($('[data-testid="access-nobody"]')).toBeNull();
    await click($('[data-testid="review-deploy"]'));
    await settle(50);
    const pkg = sent.at(-1)!.pkg;
    expect(pkg.objects.map((o) => o.name)).toEqual(['gadget', 'account', 'site_visit']);
    expect(pkg.profiles!.find((p) => p.name === 'sales_rep')!.objects.site_visit).toEqual({
      read: true,
      create: true,
      edit: true,
    });
    expect(pkg.profiles!.find((p) => p.name === 'read_only')!.objects.site_visit).toBeUndefined();
    expect($('[data-testid="change-summary"]')!.textContent).toContain(
      'Sales Rep gains Read, Create, Edit on Site Visit',
    );
  });
});

describe('publishing change events', () => {
  it('a switch turns an object’s change events on; off again, the object is as it was (中文)', async () => {
    const sent: ObjectDef[] = [];
    await mountScreen('zh-CN', '/setup/objects/account', {
      putObject: async (o: ObjectDef, opts: { dryRun: boolean }) => {
        sent.push(JSON.parse(JSON.stringify(o)) as ObjectDef);
        return planOk(!opts.dryRun);
      },
    });
    expect(document.body.textContent).toContain('发布变更事件');
    const sw = () => $('[data-testid="change-events"]');
    expect(sw()!.classList.contains('is-checked')).toBe(false);
    await click(sw());
    expect(sw()!.classList.contains('is-checked')).toBe(true);
    await click($('[data-testid="review-deploy"]'));
    await settle(50);
    expect(sent.at(-1)!.changeEvents).toBe(true);
    // Back from the plan (cancel) and switched off: the object is as it was (no key left behind),
    // so there is nothing to deploy.
    await click($('[data-testid="plan-dialog"] .el-dialog__footer .el-button'));
    await settle(50);
    await click(sw());
    expect(sw()!.classList.contains('is-checked')).toBe(false);
    expect($<HTMLButtonElement>('[data-testid="review-deploy"]')!.disabled).toBe(true);
    expect(sent).toHaveLength(1);
  });
});

// --------------------------------------------------------------------------------------------
describe('options editor', () => {
  const LEVEL = {
    name: 'level',
    label: { en: 'Level', 'zh-CN': '级别' },
    type: 'picklist' as const,
    options: [{ value: 'basic', label: { en: 'Basic', 'zh-CN': '基础' }, order: 1 }],
  };
  async function mountEditor(lang: 'en' | 'zh-CN') {
    const ctx = setup(lang);
    const saved: unknown[] = [];
    ctx.mount(FieldEditor, {
      props: {
        modelValue: true,
        field: LEVEL,
        objects: [ALL_TYPES],
        taken: ['level'],
        deployed: false,
        onSave: (f: unknown) => saved.push(f),
      },
    });
    await settle(20);
    return saved;
  }
  const rowInput = (i: number, k: 'en' | 'zh' | 'value') =>
    $(`[data-testid="option-${i}"] input[data-testid="option-${k}"]`);
  const optionsError = () =>
    $('[data-testid="options-editor"]')!
      .closest('.el-form-item')!
      .querySelector('.el-form-item__error')
      ?.textContent?.trim() ?? '';

  it('names the bad row, clears the error once it is fixed, and drops rows left empty (English)', async () => {
    const saved = await mountEditor('en');
    // Types are named by label only: no "Picklist (picklist)".
    expect($('[data-testid="fe-type"]')!.textContent).not.toContain('(picklist)');
    await click($('[data-testid="add-option"]'));
    await click($('[data-testid="add-option"]'));
    await type(rowInput(1, 'en'), 'Advanced');
    await click($('[data-testid="fe-save"]'));
    await settle(150);
    expect(optionsError()).toBe('Option 2: fill in the label in both languages.');
    expect($('[data-testid="option-1"]')!.classList.contains('bad')).toBe(true);
    expect(saved).toEqual([]);
    await type(rowInput(1, 'zh'), '高级');
    await settle(150);
    expect(optionsError()).toBe('');
    await click($('[data-testid="fe-save"]'));
    expect(saved).toHaveLength(1);
    // The third row was never filled in: it is not saved as a blank option.
    expect((saved[0] as { options: unknown[] }).options).toEqual([
      { value: 'basic', label: { en: 'Basic', 'zh-CN': '基础' }, order: 1 },
      { value: 'advanced', label: { en: 'Advanced', 'zh-CN': '高级' }, order: 2 },
    ]);
  });

  it('a taken or malformed value, in Chinese; only empty rows means no option at all', async () => {
    const saved = await mountEditor('zh-CN');
    await click($('[data-testid="add-option"]'));
    await type(rowInput(1, 'en'), 'Basic again');
    await type(rowInput(1, 'zh'), '再来');
    await type(rowInput(1, 'value'), 'basic');
    await click($('[data-testid="fe-save"]'));
    await settle(150);
    expect(optionsError()).toBe('第 2 个选项：值“basic”已被第 1 个选项使用。');
    await type(rowInput(1, 'value'), 'bad value!');
    await settle(150);
    expect(optionsError()).toBe('第 2 个选项：值只能使用字母、数字及 _ . -（最多 80 个字符）。');
    for (const i of [1, 0]) for (const k of ['en', 'zh', 'value'] as const) await type(rowInput(i, k), '');
    await settle(150);
    expect(optionsError()).toBe('请至少添加一个选项。');
    expect(saved).toEqual([]);
  });
});

// --------------------------------------------------------------------------------------------
describe('a lookup to a record the user may not read', () => {
  it('shows a lock and "No access" with an explanation, never the raw id or a link', async () => {
    for (const lang of ['en', 'zh-CN'] as const) {
      const ctx = setup(lang);
      const hiddenId = '0190a0a0-0000-7000-8000-0000000000ff';
      const w = ctx.mount(RecordDetails, {
        props: {
          object: ALL_TYPES,
          record: {
            id: 'r1',
            title: 'Widget',
            owner_account: { id: '0190a0a0-0000-7000-8000-000000000001', name: 'Acme Ltd' },
            parent: hiddenId,
            version: 1,
          },
        },
      });
      await settle();
      const cell = w.find('[data-testid="value-parent"]');
      expect(cell.text()).toContain(lang === 'en' ? '🔒 No access' : '🔒 无权查看');
      expect(w.html()).not.toContain(hiddenId);
      expect(cell.find('a').exists()).toBe(false);
      expect(w.find('[data-testid="value-owner_account"]').text()).toContain('Acme Ltd');
      w.unmount();
    }
  });
});

// --------------------------------------------------------------------------------------------
describe('record form', () => {
  it('a field’s error goes as soon as the field is changed; the others stay', async () => {
    const ctx = setup('en', {
      api: {
        create: async () => {
          throw new ApiProblem(422, 'VALIDATION_FAILED', 'Invalid.', [
            { pointer: '/title', code: 'REQUIRED', message: 'This field is required.' },
            { pointer: '/qty', code: 'TOO_SMALL', message: 'At least 1.' },
          ]);
        },
      },
    });
    const router = createRouter({
      history: createMemoryHistory(),
      routes: [
        {
          path: '/o/:object/new',
          name: 'record-new',
          component: RecordFormScreen,
          props: { mode: 'create' },
        },
        { path: '/:rest(.*)*', name: 'any', component: { render: () => h('div') } },
      ],
    });
    await router.push('/o/gadget/new');
    const w = ctx.mount({ render: () => h(RouterView) }, { global: { plugins: [router] } });
    await settle();
    await w.find('[data-testid="save-record"]').trigger('click');
    await settle(150);
    const error = (f: string) => w.find(`[data-testid="field-${f}"] .el-form-item__error`);
    expect(error('title').text()).toBe('This field is required.');
    expect(error('qty').text()).toBe('At least 1.');
    await w.find('[data-testid="field-title"] input').setValue('Widget');
    await settle(150);
    expect(error('title').exists()).toBe(false);
    expect(error('qty').text()).toBe('At least 1.');
    w.unmount();
  });
});

// --------------------------------------------------------------------------------------------
describe('words for people, not developers', () => {
  it('an empty list says what to do next; with a search, that nothing matches', async () => {
    for (const [lang, first] of [
      ['en', 'No Gadgets yet. New Gadget adds the first.'],
      ['zh-CN', '还没有装置。点击“新建装置”添加第一条。'],
    ] as const) {
      const ctx = setup(lang, {
        api: { page: async () => ({ data: [], meta: { next_cursor: null, has_more: false } }) },
      });
      const router = createRouter({
        history: createMemoryHistory(),
        routes: [{ path: '/:rest(.*)*', name: 'any', component: { render: () => h('div') } }],
      });
      await router.push('/o/gadget');
      const w = ctx.mount(ListView, { props: { object: ALL_TYPES }, global: { plugins: [router] } });
      await settle(20);
      expect(w.find('.el-table__empty-text').text()).toBe(first);
      await w.find('[data-testid="list-search"]').setValue('zz');
      await settle(400);
      expect(w.find('.el-table__empty-text').text()).toBe(
        lang === 'en' ? 'No records match.' : '没有符合条件的记录。',
      );
      w.unmount();
    }
  });

  it('an error page keeps the request id inside a folded “details”', async () => {
    const ctx = setup('en');
    const problem = new ApiProblem(500, 'INTERNAL', 'Something broke on our side.', [], {
      instance: 'req-0123',
    });
    const w = ctx.mount(ErrorState, { props: { problem } });
    await settle();
    const details = w.find('[data-testid="error-details"]');
    expect(details.element.tagName).toBe('DETAILS');
    expect((details.element as HTMLDetailsElement).open).toBe(false);
    expect(details.find('summary').text()).toBe('Details for support');
    expect(details.text()).toContain('req-0123');
    expect(w.text().replace(details.text(), '')).not.toContain('req-0123');
    w.unmount();
  });

  it('the record page shows no version number', async () => {
    const ctx = setup('zh-CN');
    const w = ctx.mount(RecordDetails, {
      props: { object: ALL_TYPES, record: { id: 'r1', title: 'W', version: 7 } },
    });
    await settle();
    expect(w.text()).not.toMatch(/版本|Version/);
    expect(w.find('[data-testid="details-gadget"]').attributes('data-version')).toBe('7');
    w.unmount();
  });
});

// --------------------------------------------------------------------------------------------
describe('header search', () => {
  it('shows matches grouped by object, opens a record, and says when nothing matched', async () => {
    const asked: string[] = [];
    const ctx = setup('zh-CN', {
      api: {
        search: async (q: string) => {
          asked.push(q);
          const data =
            q === 'acme'
              ? [{ object: 'account', records: [{ id: 'a1', name: 'Acme Ltd' }], more: true }]
              : [];
          return { data, body: {}, etag: null, status: 200 };
        },
      },
    });
    const router = createRouter({
      history: createMemoryHistory(),
      routes: [
        { path: '/o/:object/r/:id', name: 'record', component: { render: () => h('div', 'record') } },
        { path: '/o/:object', name: 'list', component: { render: () => h('div', 'list') } },
        { path: '/:rest(.*)*', name: 'any', component: { render: () => h('div') } },
      ],
    });
    await router.push('/');
    const w = ctx.mount(GlobalSearch, { global: { plugins: [router] } });
    await settle();
    await w.find('input[data-testid="global-search"]').setValue('acme');
    await settle(350);
    expect(asked).toEqual(['acme']);
    const results = $('[data-testid="global-search-results"]')!;
    expect(results.textContent).toContain('客户');
    expect(results.textContent).toContain('Acme Ltd');
    expect(results.textContent).toContain('在“客户”中查看更多…');
    await click($('[data-testid="search-hit-account"]'));
    await settle();
    expect(router.currentRoute.value.fullPath).toBe('/o/account/r/a1');
    await w.find('input[data-testid="global-search"]').setValue('nothing');
    await settle(350);
    expect($('[data-testid="global-search-results"]')!.textContent).toContain(
      '没有找到与“nothing”相关的记录。',
    );
    w.unmount();
  });
});

describe('compact layout', () => {
  it('a phone card shows the object’s compact layout fields, in order', async () => {
    const ctx = setup('en', { narrow: true });
    const object = { ...ALL_TYPES, layout: { ...ALL_TYPES.layout, compact: { fields: ['due', 'level'] } } };
    const w = ctx.mount(RecordTable, {
      props: {
        object,
        rows: [{ id: 'r1', title: 'Widget', due: '2026-12-31', level: 'advanced', qty: 3 }],
        columns: ['title', 'qty', 'notes', 'price'],
      },
    });
    await settle();
    const lines = w.findAll('.card-line').map((l) => l.text());
    expect(lines).toEqual(['DueDec 31, 2026', 'LevelAdvanced']);
    w.unmount();
  });
});

// --------------------------------------------------------------------------------------------
describe('version history', () => {
  it('a version opens to what it changed and the plan it ran, with rollback from there; comments read in the reader’s language', async () => {
    const v1: PackageDef = {
      objects: [{ ...ALL_TYPES, fields: ALL_TYPES.fields.filter((f) => f.name !== 'due') }],
    };
    const v2: PackageDef = { objects: [ALL_TYPES] };
    const rollbacks: { comment?: string; dryRun: boolean }[] = [];
    const ctx = setup('zh-CN', {
      api: {
        versions: async () => ({
          data: [
            {
              version: 2,
              hash: 'b',
              comment: '@edit:gadget',
              created_by: 'u1',
              created_at: '2026-11-02T03:04:05Z',
              changes: [
                {
                  change: {
                    kind: 'addColumn',
                    object: 'gadget',
                    field: 'due',
                    column: { storage: { pg: 'date' } },
                  },
                  ddl: true,
                  sql: ['alter table "gadget" add column "due" date'],
                },
              ],
            },
            {
              version: 1,
              hash: 'a',
              comment: 'tenant created',
              created_by: 'u1',
              created_at: '2026-11-01T03:04:05Z',
              changes: [],
            },
          ],
          body: {},
          etag: null,
          status: 200,
        }),
        version: async (v: number) => ({
          data: { version: v, package: v === 1 ? v1 : v2 },
          body: {},
          etag: null,
          status: 200,
        }),
        users: async () => ({
          data: [{ id: 'u1', username: 'admin', display_name: '管理员' }],
          body: {},
          etag: null,
          status: 200,
        }),
        rollback: async (_v: number, o: { comment?: string; dryRun: boolean }) => {
          rollbacks.push(o);
          return planOk(!o.dryRun);
        },
        meta: async () => ({
          data: { version: 3, hash: 'h', package: v1 },
          body: {},
          etag: null,
          status: 200,
        }),
      },
    });
    ctx.meta.version = 2;
    const router = createRouter({
      history: createMemoryHistory(),
      routes: [{ path: '/:rest(.*)*', component: VersionsView }],
    });
    await router.push('/setup/versions');
    const w = ctx.mount({ render: () => h(RouterView) }, { global: { plugins: [router] } });
    await settle(20);
    expect($('[data-testid="version-comment-2"]')!.textContent!.trim()).toBe('修改对象 装置');
    expect($('[data-testid="version-comment-1"]')!.textContent!.trim()).toBe('创建组织并部署标准对象');
    await click($('[data-testid="version-comment-2"]'));
    await settle(50);
    expect($('[data-testid="version-changes"]')!.textContent).toContain('“装置”：新增字段“到期日”');
    expect($('[data-testid="version-steps"]')!.textContent).toContain('到期日');
    expect($('[data-testid="version-drawer"]')!.textContent).toContain('这是当前使用的版本。');
    await click($('[data-testid="version-comment-1"]'));
    await settle(50);
    await click($('[data-testid="drawer-rollback"]'));
    await settle(50);
    expect(rollbacks[0]).toMatchObject({ dryRun: true });
    await click($('[data-testid="confirm-deploy"]'));
    await settle(50);
    // Kept as proposed, the comment is stored language-neutral.
    expect(rollbacks[1]).toMatchObject({ dryRun: false, comment: '@rollback:1' });
    w.unmount();
  });
});

// --------------------------------------------------------------------------------------------
describe('layout editor', () => {
  it('a new object starts from the section the form really shows, with its fields', async () => {
    const ctx = setup('en');
    const fresh = { ...ALL_TYPES, layout: undefined, fields: ALL_TYPES.fields.slice(0, 2) };
    const w = ctx.mount(LayoutEditor, { props: { object: fresh } });
    await settle();
    const onForm = w.findAll('.fields li').map((li) => li.text());
    expect(onForm.join(' ')).toContain('Title');
    expect(onForm.join(' ')).toContain('Notes');
    expect(w.findAll('[data-testid^="pool-field-"]')).toHaveLength(0);
    w.unmount();
  });

  it('fields the layout leaves out sit in the side card, one line each, saying where the form shows them', async () => {
    const ctx = setup('zh-CN');
    const small = {
      ...ALL_TYPES,
      fields: ALL_TYPES.fields.slice(0, 4),
      layout: { sections: [{ label: { en: 'Basics', 'zh-CN': '基本信息' }, columns: 2, fields: ['title'] }] },
    };
    const w = ctx.mount(LayoutEditor, { props: { object: small } });
    await settle();
    expect(w.find('[data-testid="pool-hint"]').text()).toContain('其他字段');
    const label = w.find('[data-testid="pool-field-qty"] .pool-label');
    expect(label.text()).toBe('数量');
    expect(label.attributes('title')).toBe('数量');
    w.unmount();
  });
});
