import { text } from '../core/messages.js';
import { DomainError } from '../core/errors.js';
import type { CompiledObject } from '../metadata/compile.js';
import { RECORD_SHARES, USERS } from '../schema-sync/ddl.js';
import { getRecord, isUuid, type ReadScope } from './read.js';

/**
 * Record teams: people added to one record for read or edit, by someone who may edit it.
 * Members are named as /users/lookup names them (id and display name): never their user name,
 * which is half of a sign-in.
 */
export async function listTeam(s: ReadScope, o: CompiledObject, id: string) {
  await getRecord(s, o, id, ['id']);
  return s.db
    .withSchema(s.schema)
    .from(RECORD_SHARES)
    .join(USERS, `${USERS}.id`, `${RECORD_SHARES}.user_id`)
    .where({ object_id: o.id, record_id: id })
    .orderBy([{ column: `${USERS}.display_name` }, { column: `${RECORD_SHARES}.user_id` }])
    .select(
      `${RECORD_SHARES}.user_id`,
      `${USERS}.display_name as name`,
      `${RECORD_SHARES}.access`,
      `${RECORD_SHARES}.created_at`,
    );
}

async function assertEditable(s: ReadScope, o: CompiledObject, id: string) {
  await getRecord(s, o, id, ['id']);
  const q = s.db.withSchema(s.schema).from(o.table).where('id', id).select('id');
  s.access.scopeEdit(q, o, (n) => `${o.table}.${n}`);
  if (!(await q.first())) throw new DomainError(403, 'NO_RECORD_ACCESS', { object: o.name, id });
}

export async function setTeamMember(
  s: ReadScope,
  o: CompiledObject,
  id: string,
  userId: string,
  access: unknown,
) {
  if (access !== 'read' && access !== 'edit')
    throw new DomainError(422, 'VALIDATION_FAILED', {}, [
      { pointer: '/access', code: 'NOT_AN_OPTION', params: { value: String(access) } },
    ]);
  await assertEditable(s, o, id);
  const user = isUuid(userId)
    ? await s.db.withSchema(s.schema).from(USERS).where({ id: userId, active: true }).first('id')
    : undefined;
  if (!user)
    throw new DomainError(422, 'VALIDATION_FAILED', {}, [
      { pointer: '/userId', code: 'LOOKUP_NOT_FOUND', params: { target: text('T_USER'), id: userId } },
    ]);
  await s.db
    .withSchema(s.schema)
    .table(RECORD_SHARES)
    .insert({ object_id: o.id, record_id: id, user_id: userId, access, reason: 'team' })
    .onConflict(['object_id', 'record_id', 'user_id'])
    .merge({ access });
}

export async function removeTeamMember(s: ReadScope, o: CompiledObject, id: string, userId: string) {
  await assertEditable(s, o, id);
  if (!isUuid(userId)) throw new DomainError(404, 'NOT_FOUND');
  await s.db
    .withSchema(s.schema)
    .table(RECORD_SHARES)
    .where({ object_id: o.id, record_id: id, user_id: userId })
    .delete();
}
