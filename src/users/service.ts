import { and, asc, desc, eq, gt, ilike, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import { absences, roles, users, userStatusLog, type Role, type UserStatus } from '../db/schema.js';
import type { Services } from '../services.js';
import { rowsOf } from '../db/client.js';
import { AppError, isUniqueViolation, notFound } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import { hashPassword, verifyPassword } from '../auth/passwords.js';
import type { AuthUser } from '../auth/middleware.js';
import { pauseReasonList } from './pause-reasons.js';
import type { CreateAbsenceSchema, CreateUserSchema, SetStatusSchema, UpdateMeSchema, UpdateUserSchema } from './schemas.js';

type UserRow = typeof users.$inferSelect;

export function toUserDto(u: UserRow) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    active: u.active,
    locale: u.locale,
    timezone: u.timezone,
    workingHours: u.workingHours ?? null,
    extension: u.extension,
    phoneDevice: u.phoneDevice,
    status: u.status,
    statusReason: u.statusReason,
    statusChangedAt: u.statusChangedAt.toISOString(),
    lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
    createdAt: u.createdAt.toISOString(),
  };
}
export type UserDto = ReturnType<typeof toUserDto>;

/** Which users' records each role may see and whose absences it may manage. */
export function managedRoles(role: Role): readonly Role[] {
  switch (role) {
    case 'admin':
      return roles;
    case 'cc_admin':
      return ['operator', 'cc_admin'];
    case 'sales_head':
      return ['hunter', 'sales_head'];
    case 'client_head':
      return ['account_manager', 'client_head'];
    default:
      return [];
  }
}

export async function createUser(s: Services, input: z.infer<typeof CreateUserSchema>): Promise<UserDto> {
  const now = s.clock.now();
  try {
    const [row] = await s.database.db
      .insert(users)
      .values({
        id: newId('user'),
        email: input.email,
        name: input.name,
        role: input.role,
        passwordHash: await hashPassword(input.password),
        locale: input.locale ?? 'ru',
        timezone: input.timezone ?? s.config.companyTimeZone,
        workingHours: input.workingHours ?? null,
        extension: input.extension ?? null,
        phoneDevice: input.phoneDevice ?? 'softphone',
        statusChangedAt: now,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    return toUserDto(row!);
  } catch (err) {
    if (isUniqueViolation(err, 'users_email_key')) {
      throw new AppError('conflict', `A user with e-mail ${input.email} already exists`, {
        errors: [{ path: 'email', message: 'already taken' }],
      });
    }
    throw extensionTaken(err, input.extension);
  }
}

export async function getUser(s: Services, id: string): Promise<UserRow> {
  const [row] = await s.database.db.select().from(users).where(eq(users.id, id)).limit(1);
  if (!row) throw notFound('User', id);
  return row;
}

export async function listUsers(
  s: Services,
  viewer: AuthUser,
  q: { role?: Role; active?: boolean; q?: string; limit: number; cursor?: string },
) {
  const visible = managedRoles(viewer.role);
  if (q.role && !visible.includes(q.role)) {
    throw new AppError('forbidden', `A ${viewer.role} cannot list users with role ${q.role}`);
  }
  const conds: SQL[] = [];
  const roleSet = q.role ? [q.role] : visible;
  if (roleSet.length !== roles.length) conds.push(inArray(users.role, [...roleSet]));
  if (q.active !== undefined) conds.push(eq(users.active, q.active));
  if (q.q) {
    const like = `%${q.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    conds.push(or(ilike(users.name, like), ilike(users.email, like))!);
  }
  if (q.cursor) conds.push(gt(users.id, q.cursor));
  const rows = await s.database.db
    .select()
    .from(users)
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(asc(users.id))
    .limit(q.limit + 1);
  return rows.map(toUserDto);
}

export async function updateUser(
  s: Services,
  actor: AuthUser,
  id: string,
  patch: z.infer<typeof UpdateUserSchema>,
): Promise<UserDto> {
  return s.database.db.transaction(async (tx) => {
    const [current] = await tx.select().from(users).where(eq(users.id, id)).for('update').limit(1);
    if (!current) throw notFound('User', id);
    const demoting = (patch.role && patch.role !== 'admin') || patch.active === false;
    if (current.role === 'admin' && demoting) {
      if (actor.id === id) throw new AppError('conflict', 'You cannot demote or deactivate your own admin account');
      const [{ n }] = (await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(users)
        .where(and(eq(users.role, 'admin'), eq(users.active, true)))) as [{ n: number }];
      if (n <= 1) throw new AppError('conflict', 'The last active admin cannot be demoted or deactivated');
    }
    const set: Partial<UserRow> = { updatedAt: s.clock.now() };
    if (patch.email !== undefined) set.email = patch.email;
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.role !== undefined) set.role = patch.role;
    if (patch.locale !== undefined) set.locale = patch.locale;
    if (patch.timezone !== undefined) set.timezone = patch.timezone;
    if (patch.workingHours !== undefined) set.workingHours = patch.workingHours;
    if (patch.extension !== undefined) set.extension = patch.extension;
    if (patch.phoneDevice !== undefined) set.phoneDevice = patch.phoneDevice;
    if (patch.active !== undefined) set.active = patch.active;
    if (patch.password !== undefined) set.passwordHash = await hashPassword(patch.password);
    // Role, password or access changes end the user's existing sessions.
    const revoke =
      (patch.role !== undefined && patch.role !== current.role) ||
      patch.password !== undefined ||
      (patch.active === false && current.active);
    if (revoke) set.tokenVersion = current.tokenVersion + 1;
    const goesOffline = patch.active === false && current.status !== 'offline';
    if (goesOffline) Object.assign(set, { status: 'offline', statusReason: null, statusChangedAt: s.clock.now() });
    try {
      const [row] = await tx.update(users).set(set).where(eq(users.id, id)).returning();
      if (goesOffline) {
        await tx.insert(userStatusLog).values({ id: newId('statusChange'), userId: id, status: 'offline', reason: 'deactivated', at: s.clock.now() });
      }
      return toUserDto(row!);
    } catch (err) {
      if (isUniqueViolation(err, 'users_email_key')) {
        throw new AppError('conflict', `A user with e-mail ${patch.email} already exists`, {
          errors: [{ path: 'email', message: 'already taken' }],
        });
      }
      throw extensionTaken(err, patch.extension);
    }
  });
}

/** The clear error for a phone extension someone else already has, or the original error. */
function extensionTaken(err: unknown, extension: string | null | undefined) {
  if (!isUniqueViolation(err, 'users_extension_key')) return err;
  return new AppError('conflict', `Extension ${extension} already belongs to another user`, {
    errors: [{ path: 'extension', message: 'already taken' }],
  });
}

function toAbsenceDto(a: typeof absences.$inferSelect) {
  return {
    id: a.id,
    userId: a.userId,
    from: a.startsAt.toISOString(),
    to: a.endsAt.toISOString(),
    reason: a.reason,
    note: a.note,
    createdBy: a.createdBy,
    createdAt: a.createdAt.toISOString(),
  };
}

function assertManages(actor: AuthUser, target: UserRow) {
  if (!managedRoles(actor.role).includes(target.role)) {
    throw new AppError('forbidden', `A ${actor.role} cannot manage a ${target.role}'s absences`);
  }
}

export async function addAbsence(s: Services, actor: AuthUser, userId: string, input: z.infer<typeof CreateAbsenceSchema>) {
  const target = await getUser(s, userId);
  assertManages(actor, target);
  const from = new Date(input.from);
  const to = new Date(input.to);
  return s.database.db.transaction(async (tx) => {
    // Serialize absence writes per user so two overlapping periods cannot both slip in.
    await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for('update');
    const overlapping = await tx
      .select({ id: absences.id })
      .from(absences)
      .where(and(eq(absences.userId, userId), lt(absences.startsAt, to), gt(absences.endsAt, from)))
      .limit(1);
    if (overlapping.length) {
      throw new AppError('conflict', `The period overlaps absence ${overlapping[0]!.id}`, {
        errors: [{ path: 'from', message: 'overlaps an existing absence' }],
      });
    }
    const [row] = await tx
      .insert(absences)
      .values({
        id: newId('absence'),
        userId,
        startsAt: from,
        endsAt: to,
        reason: input.reason,
        note: input.note ?? null,
        createdBy: actor.id,
        createdAt: s.clock.now(),
      })
      .returning();
    return toAbsenceDto(row!);
  });
}

export async function listAbsences(s: Services, actor: AuthUser, userId: string) {
  const target = await getUser(s, userId);
  if (actor.id !== userId) assertManages(actor, target);
  const rows = await s.database.db
    .select()
    .from(absences)
    .where(eq(absences.userId, userId))
    .orderBy(desc(absences.startsAt))
    .limit(200);
  return rows.map(toAbsenceDto);
}

export async function deleteAbsence(s: Services, actor: AuthUser, userId: string, absenceId: string) {
  const target = await getUser(s, userId);
  assertManages(actor, target);
  const deleted = await s.database.db
    .delete(absences)
    .where(and(eq(absences.id, absenceId), eq(absences.userId, userId)))
    .returning({ id: absences.id });
  if (!deleted.length) throw notFound('Absence', absenceId);
}

/** Whether a user is inside an absence period at `at`. */
export async function isAbsent(s: Services, userId: string, at: Date): Promise<boolean> {
  const rows = await s.database.db
    .select({ id: absences.id })
    .from(absences)
    .where(and(eq(absences.userId, userId), lt(absences.startsAt, at), gt(absences.endsAt, at)))
    .limit(1);
  return rows.length > 0;
}

export const presenceAudience: Role[] = ['admin', 'cc_admin', 'sales_head', 'client_head'];

export async function setStatus(s: Services, actor: AuthUser, input: z.infer<typeof SetStatusSchema>) {
  if (input.status !== 'paused' && input.reason) {
    throw new AppError('validation_failed', 'A reason is only kept for "paused"', {
      errors: [{ path: 'reason', message: 'only allowed with status "paused"' }],
    });
  }
  if (input.status === 'paused' && actor.role === 'operator') await pauseReasonList.assertOne(s, input.reason);
  // Ringing and on a call belong to the phone: they end when the call does (wrap-up can be ended early).
  const [me] = await s.database.db.select({ status: users.status }).from(users).where(eq(users.id, actor.id));
  if (me && (me.status === 'ringing' || me.status === 'on_call') && input.status !== 'offline') {
    throw new AppError('conflict', `You are ${me.status === 'ringing' ? 'being rung' : 'on a call'}; your status changes when the call ends`);
  }
  return applyStatus(s, actor.id, input.status, input.reason ?? null);
}

export type StatusChange = { userId: string; status: UserStatus; at: Date };
const statusListeners = new WeakMap<Services, Set<(c: StatusChange) => void>>();

/** Calls `fn` after each state change made through this service instance (the distributor's agent board). */
export function onStatusChange(s: Services, fn: (c: StatusChange) => void): () => void {
  let set = statusListeners.get(s);
  if (!set) statusListeners.set(s, (set = new Set()));
  set.add(fn);
  return () => set.delete(fn);
}

/** Stores a state change with its time and tells the user's panels and the supervisors. */
export async function applyStatus(s: Services, userId: string, status: UserStatus, reason: string | null) {
  if (!(await transitionStatus(s, userId, status, reason))) throw notFound('User', userId);
  return toUserDto(await getUser(s, userId));
}

/**
 * The same, but only from one of the states in `from` (the phone's transitions: ringing only from
 * available, wrap-up only from on a call, …). Null when the user was in another state or does not exist.
 * One statement: the phone changes people's states several times a call.
 */
export async function transitionStatus(s: Services, userId: string, status: UserStatus, reason: string | null, from?: readonly UserStatus[]) {
  const now = s.clock.now();
  const at = now.toISOString();
  const guard = from ? sql` AND status IN (${sql.join(from.map((f) => sql`${f}`), sql`, `)})` : sql``;
  const [row] = rowsOf<{ id: string; name: string; role: Role }>(
    await s.database.db.execute(sql`
      WITH u AS (
        UPDATE users SET status = ${status}, status_reason = ${reason}, status_changed_at = ${at}::timestamptz, updated_at = ${at}::timestamptz
        WHERE id = ${userId}${guard}
        RETURNING id, name, role
      ), l AS (
        INSERT INTO user_status_log (id, user_id, status, reason, at)
        SELECT ${newId('statusChange')}, u.id, ${status}, ${reason}, ${at}::timestamptz FROM u
      )
      SELECT id, name, role FROM u`),
  );
  if (!row) return null;
  const change: StatusChange = { userId: row.id, status, at: now };
  for (const fn of statusListeners.get(s) ?? []) fn(change);
  const event = { userId: row.id, name: row.name, role: row.role, status, reason, since: at };
  s.realtime.toUser(row.id, 'presence:changed', event);
  s.realtime.toRoles(presenceAudience, 'presence:changed', event);
  return change;
}

/** A user's own profile: name, language, time zone, and password (proving the current one). */
export async function updateMe(s: Services, actor: AuthUser, patch: z.infer<typeof UpdateMeSchema>) {
  const current = await getUser(s, actor.id);
  const set: Partial<UserRow> = { updatedAt: s.clock.now() };
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.locale !== undefined) set.locale = patch.locale;
  if (patch.timezone !== undefined) set.timezone = patch.timezone;
  if (patch.phoneDevice !== undefined) set.phoneDevice = patch.phoneDevice;
  if (patch.password !== undefined) {
    if (!(await verifyPassword(patch.currentPassword ?? '', current.passwordHash))) {
      throw new AppError('validation_failed', 'The current password is wrong', {
        errors: [{ path: 'currentPassword', message: 'wrong password', code: 'wrong_password' }],
      });
    }
    set.passwordHash = await hashPassword(patch.password);
    set.tokenVersion = current.tokenVersion + 1;
  }
  const [row] = await s.database.db.update(users).set(set).where(eq(users.id, actor.id)).returning();
  return toUserDto(row!);
}

/**
 * A user whose last panel closed goes offline after the grace period, unless a panel came back (a
 * reload or a short network drop does not count). Called by the realtime server on disconnect.
 */
export async function goOfflineIfStillGone(s: Services, userId: string, stillGone: () => Promise<boolean>) {
  if (!(await stillGone())) return;
  const [u] = await s.database.db.select({ status: users.status }).from(users).where(eq(users.id, userId));
  if (!u || u.status === 'offline') return;
  await applyStatus(s, userId, 'offline', 'disconnected');
}
