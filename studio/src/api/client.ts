import { ApiProblem, problemFrom } from './problem';
import type {
  DeployResult,
  HistoryEntry,
  Me,
  MetaCurrent,
  MetaVersion,
  NewUser,
  ObjectDef,
  PackageDef,
  Page,
  RecordData,
  SearchGroup,
  UserName,
  UserPatch,
  UserRow,
  VisibleModel,
} from './types';

export interface ClientOptions {
  base?: string;
  token: () => string | null;
  lang: () => string;
  /** Called on 401, e.g. to send the user back to the sign-in screen. */
  onUnauthorized?: () => void;
  fetch?: typeof fetch;
}

export interface Reply<T> {
  data: T;
  /** The whole JSON body (e.g. `meta` beside `data` in a list). */
  body: Record<string, unknown>;
  etag: string | null;
  status: number;
}

export interface ListQuery {
  filter?: unknown;
  sort?: string;
  limit?: number;
  cursor?: string | null;
  fields?: string[];
  expand?: string[];
  search?: string;
}

/** Version number from an ETag: "3" → 3, "m12" → 12. */
export const versionOf = (etag: string | null): number | undefined => {
  const m = /"m?(\d+)"/.exec(etag ?? '');
  return m ? Number(m[1]) : undefined;
};

/** The typed client of the engine's /api/v1. Every failure is thrown as an ApiProblem. */
/** Options of a metadata request the plan dialog plans (dryRun) and then deploys. */
export interface DeployOpts {
  dryRun: boolean;
  comment?: string;
  allowLossy?: boolean;
  /** The metadata version the review started from (If-Match). */
  expected?: number;
  /** The planHash of the reviewed plan: the deploy runs exactly that or is refused. */
  expectPlan?: string;
  /** Consents to hide data: `retire:<object>.<field>`, `retire:<object>`. */
  confirm?: string[];
}

const deployBody = (o: DeployOpts) => ({
  comment: o.comment,
  allowLossy: o.allowLossy,
  expectPlan: o.expectPlan,
  confirm: o.confirm?.length ? o.confirm : undefined,
});

export function createClient(o: ClientOptions) {
  const base = o.base ?? '/api/v1';
  const doFetch = o.fetch ?? ((...a: Parameters<typeof fetch>) => fetch(...a));

  async function call<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    withToken = true,
  ): Promise<Reply<T>> {
    const h: Record<string, string> = { Accept: 'application/json', 'Accept-Language': o.lang(), ...headers };
    const token = withToken ? o.token() : null;
    if (token) h.Authorization = `Bearer ${token}`;
    if (body !== undefined) h['Content-Type'] = 'application/json';
    let res: Response;
    try {
      res = await doFetch(base + path, {
        method,
        headers: h,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new ApiProblem(0, 'NETWORK', e instanceof Error ? e.message : String(e));
    }
    // Only asked for with If-None-Match: what the caller holds is still current.
    if (res.status === 304)
      return { data: undefined as T, body: {}, etag: res.headers.get('ETag'), status: 304 };
    if (!res.ok) {
      const p = await problemFrom(res);
      if (res.status === 401 && withToken) o.onUnauthorized?.();
      throw p;
    }
    const etag = res.headers.get('ETag');
    if (res.status === 204) return { data: undefined as T, body: {}, etag, status: 204 };
    const json = (await res.json()) as { data: T } & Record<string, unknown>;
    return { data: (json.data ?? json) as T, body: json, etag, status: res.status };
  }

  const qs = (q: Record<string, string | number | undefined | null>) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(q))
      if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
    const s = p.toString();
    return s ? `?${s}` : '';
  };
  const enc = encodeURIComponent;

  return {
    call,
    me: (token?: string) =>
      call<Me>('GET', '/me', undefined, token ? { Authorization: `Bearer ${token}` } : {}, !token),
    login: (tenant: string, username: string, password: string) =>
      call<{ access_token: string; expires_at: string }>(
        'POST',
        '/auth/login',
        { tenant, username, password },
        {},
        false,
      ),
    logout: () => call<void>('POST', '/auth/logout'),

    /** The deployed package (admins: the object manager). */
    meta: () => call<MetaCurrent>('GET', '/meta'),
    /**
     * What the signed-in user may see (every generated screen). With the ETag of the copy held,
     * an unchanged model answers 304 with no data.
     */
    visibleModel: (etag?: string | null) =>
      call<VisibleModel>('GET', '/meta/objects', undefined, etag ? { 'If-None-Match': etag } : {}),
    /** Users' names: by ids (at most 200), or active users matching the start of a name. */
    userNames: (by: { ids: string[] } | { q: string }) =>
      call<UserName[]>(
        'GET',
        `/users/lookup?${'ids' in by ? `ids=${enc(by.ids.join(','))}` : `q=${enc(by.q)}`}`,
      ),
    /** Every object the user may read, a few matches each (the header search). */
    search: (q: string, limit = 5) => call<SearchGroup[]>('GET', `/search?q=${enc(q)}&limit=${limit}`),
    versions: () => call<MetaVersion[]>('GET', '/meta/versions'),
    /** One version with the package it deployed (what a rollback to it would bring back). */
    version: (v: number) => call<MetaVersion & { package: PackageDef }>('GET', `/meta/versions/${v}`),
    users: () => call<UserRow[]>('GET', '/users'),
    createUser: (u: NewUser) => call<UserRow>('POST', '/users', u),
    updateUser: (id: string, patch: UserPatch) => call<UserRow>('PATCH', `/users/${enc(id)}`, patch),
    /** An administrator sets a user's password; the user's sessions end. */
    resetPassword: (id: string, password: string) =>
      call<void>('POST', `/users/${enc(id)}/password`, { password }),
    /** Plans (dryRun) or deploys a whole package (roles, profiles, sharing, several objects at once). */
    deployPackage: (pkg: PackageDef, opts: DeployOpts) =>
      call<DeployResult>(
        'POST',
        opts.dryRun ? '/meta/plan' : '/meta/deploy',
        { package: pkg, ...deployBody(opts) },
        opts.expected !== undefined ? { 'If-Match': `"m${opts.expected}"` } : {},
      ),
    /**
     * Plans (dryRun) or deploys one object; `expected` is the metadata version the edit started
     * from, `expectPlan` the planHash the admin reviewed, `confirm` their consent to hide data.
     */
    putObject: (obj: ObjectDef, opts: DeployOpts) =>
      call<DeployResult>(
        'PUT',
        `/meta/objects/${enc(obj.name)}${opts.dryRun ? '?dryRun=true' : ''}`,
        { ...obj, ...deployBody(opts) },
        opts.expected !== undefined ? { 'If-Match': `"m${opts.expected}"` } : {},
      ),
    deleteObject: (name: string, opts: DeployOpts) =>
      call<DeployResult>(
        'DELETE',
        `/meta/objects/${enc(name)}${opts.dryRun ? '?dryRun=true' : ''}`,
        deployBody(opts),
        opts.expected !== undefined ? { 'If-Match': `"m${opts.expected}"` } : {},
      ),
    plan: (pkg: PackageDef) => call<DeployResult>('POST', '/meta/plan', { package: pkg }),
    rollback: (version: number, opts: DeployOpts) =>
      call<DeployResult>(
        'POST',
        `/meta/rollback/${version}${opts.dryRun ? '?dryRun=true' : ''}`,
        deployBody(opts),
        opts.expected !== undefined ? { 'If-Match': `"m${opts.expected}"` } : {},
      ),

    /** One page of records with its paging meta. */
    page: async (object: string, q: ListQuery = {}): Promise<Page> => {
      const r = await call<RecordData[]>(
        'GET',
        `/data/${enc(object)}${qs({
          filter: q.filter === undefined ? undefined : JSON.stringify(q.filter),
          sort: q.sort,
          limit: q.limit,
          cursor: q.cursor,
          fields: q.fields?.join(','),
          expand: q.expand?.length ? q.expand.join(',') : undefined,
          search: q.search?.trim() || undefined,
        })}`,
      );
      return { data: r.data, meta: r.body.meta as Page['meta'] };
    },
    get: (object: string, id: string, expand?: string[]) =>
      call<RecordData>(
        'GET',
        `/data/${enc(object)}/${enc(id)}${qs({ expand: expand?.length ? expand.join(',') : undefined })}`,
      ),
    create: (object: string, data: Record<string, unknown>) =>
      call<RecordData>('POST', `/data/${enc(object)}`, data),
    update: (object: string, id: string, data: Record<string, unknown>, version?: number) =>
      call<RecordData>(
        'PATCH',
        `/data/${enc(object)}/${enc(id)}`,
        data,
        version !== undefined ? { 'If-Match': `"${version}"` } : {},
      ),
    remove: (object: string, id: string, version?: number) =>
      call<void>(
        'DELETE',
        `/data/${enc(object)}/${enc(id)}`,
        undefined,
        version !== undefined ? { 'If-Match': `"${version}"` } : {},
      ),
    history: (object: string, id: string) =>
      call<HistoryEntry[]>('GET', `/data/${enc(object)}/${enc(id)}/history`),
  };
}

export type Api = ReturnType<typeof createClient>;
