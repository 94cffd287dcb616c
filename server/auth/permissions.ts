// The one permission module: `can(user, action, resource)` and the row scopes that queries apply.
import type { AssignedRole, ItemStatus, Role } from '../../db/schema.ts';
import { AppError } from '../errors.ts';

/** One of a person's role assignments: admin and vice-rector hold the university, a dean a faculty, a head or an instructor a department. */
export type RoleGrant = { role: AssignedRole; facultyId: string | null; departmentId: string | null };

export type Principal = {
  id: string;
  /** Every role the person holds now; a head who teaches holds both `head` and `instructor`. */
  roles: readonly RoleGrant[];
  /** Study groups the person studies in now (a student); empty for everyone else. */
  groupIds: readonly string[];
};

/** Where a cabinet sits: enough to decide every rule without another query. */
export type CabinetScope = {
  instructorId: string;
  departmentId: string;
  facultyId: string;
  groupIds: readonly string[];
  /** The registrar no longer lists its teaching assignment: readable, no longer editable. */
  teachingEnded: boolean;
};

export type ResourceFor = {
  /** Open a cabinet for a teaching assignment (instructor × subject × term). */
  'cabinet.open': { instructorId: string; teachingEnded: boolean };
  'cabinet.view': CabinetScope;
  /** Change what a cabinet holds: items, uploads, publishing. */
  'cabinet.edit': CabinetScope;
  /** See an item and download its files. */
  'item.view': { cabinet: CabinetScope; status: ItemStatus };
  /** HEAD / PATCH / DELETE of an upload in flight: an instructor's material, or a student's submission file. */
  'upload.continue': { ownerId: string; cabinet: CabinetScope; forSubmission: boolean };
  /** Hand in work for a published assignment (the deadline rules are the assignment's). */
  'assignment.submit': { cabinet: CabinetScope; status: ItemStatus };
  /** See a student's submissions and their files: the student, the cabinet's instructor, the staff above (read-only). */
  'submission.view': { cabinet: CabinetScope; studentId: string };
  /** Grade submissions and manage assignments: the cabinet's instructor. */
  'submission.grade': CabinetScope;
  /** A student's player reports what they watched of a lecture they may see. */
  'progress.record': { cabinet: CabinetScope; status: ItemStatus };
  /** Who watched how much of a cabinet's lectures: its instructor and the staff above, never students. */
  'progress.view': CabinetScope;
  /** Completeness and timeliness reports of a department: its head, its faculty's dean, the vice-rector, the admin. */
  'report.view': { departmentId: string; facultyId: string };
  /** A faculty's (or college's) departments side by side: its dean, the vice-rector, the admin. */
  'report.faculty': { facultyId: string };
  /** Every faculty and college: the vice-rector and the admin. */
  'report.university': Record<string, never>;
  /** Remind an instructor of the department about overdue slots: its head (the roles above only read). */
  'report.remind': { departmentId: string };
  /** Change the department's slot policy (and so its cabinets' plans): its head. */
  'policy.edit': { departmentId: string };
  /** A term's teaching assignments of a department (who teaches what to which groups): the admin, and its head. */
  'teaching.edit': { departmentId: string };
  /** Structure, people, roles, imports and the audit log: the admin. */
  'admin.manage': Record<string, never>;
};
export type Action = keyof ResourceFor;

/** Actions whose refusal is answered "not found", so that nothing is learned about what exists. */
const hiddenWhenRefused: ReadonlySet<Action> = new Set([
  'cabinet.view',
  'item.view',
  'upload.continue',
  'progress.record',
  'submission.view',
]);

function holds(user: Principal, role: AssignedRole, where: (grant: RoleGrant) => boolean = () => true): boolean {
  return user.roles.some((grant) => grant.role === role && where(grant));
}

const holdsUniversity = (user: Principal) => holds(user, 'admin') || holds(user, 'vice_rector');
const isDeanOf = (user: Principal, facultyId: string) => holds(user, 'dean', (grant) => grant.facultyId === facultyId);
const isHeadOf = (user: Principal, departmentId: string) =>
  holds(user, 'head', (grant) => grant.departmentId === departmentId);

/** The staff above a cabinet, who read it: the department's head, the faculty's dean, the university's roles. */
function overseesCabinet(user: Principal, cabinet: CabinetScope): boolean {
  return holdsUniversity(user) || isDeanOf(user, cabinet.facultyId) || isHeadOf(user, cabinet.departmentId);
}

function teachesCabinet(user: Principal, cabinet: CabinetScope): boolean {
  return user.id === cabinet.instructorId && holds(user, 'instructor');
}

/** Sees the cabinet as staff (drafts, the plan, who watched): its instructor and the staff above. */
function staffSeesCabinet(user: Principal, cabinet: CabinetScope): boolean {
  return teachesCabinet(user, cabinet) || overseesCabinet(user, cabinet);
}

function studiesInCabinet(user: Principal, cabinet: CabinetScope): boolean {
  return cabinet.groupIds.some((groupId) => user.groupIds.includes(groupId));
}

function seesCabinet(user: Principal, cabinet: CabinetScope): boolean {
  return staffSeesCabinet(user, cabinet) || studiesInCabinet(user, cabinet);
}

function ownsCabinet(user: Principal, cabinet: CabinetScope): boolean {
  return teachesCabinet(user, cabinet) && !cabinet.teachingEnded;
}

export function can<A extends Action>(user: Principal | null, action: A, resource: ResourceFor[A]): boolean {
  if (!user) return false;
  switch (action) {
    case 'cabinet.open': {
      const { instructorId, teachingEnded } = resource as ResourceFor['cabinet.open'];
      return user.id === instructorId && holds(user, 'instructor') && !teachingEnded;
    }
    case 'cabinet.view':
      return seesCabinet(user, resource as CabinetScope);
    case 'cabinet.edit':
      return ownsCabinet(user, resource as CabinetScope);
    case 'item.view': {
      const { cabinet, status } = resource as ResourceFor['item.view'];
      // Students see what is published; staff who see the cabinet also see drafts.
      return staffSeesCabinet(user, cabinet) || (status === 'published' && studiesInCabinet(user, cabinet));
    }
    case 'upload.continue': {
      const { ownerId, cabinet, forSubmission } = resource as ResourceFor['upload.continue'];
      if (user.id !== ownerId) return false;
      return forSubmission ? studiesInCabinet(user, cabinet) : ownsCabinet(user, cabinet);
    }
    case 'progress.record':
    case 'assignment.submit': {
      const { cabinet, status } = resource as ResourceFor['progress.record'];
      return status === 'published' && studiesInCabinet(user, cabinet);
    }
    case 'progress.view':
      return staffSeesCabinet(user, resource as CabinetScope);
    case 'submission.view': {
      const { cabinet, studentId } = resource as ResourceFor['submission.view'];
      return staffSeesCabinet(user, cabinet) || (user.id === studentId && studiesInCabinet(user, cabinet));
    }
    case 'submission.grade':
      return ownsCabinet(user, resource as CabinetScope);
    case 'report.view': {
      const { departmentId, facultyId } = resource as ResourceFor['report.view'];
      return holdsUniversity(user) || isDeanOf(user, facultyId) || isHeadOf(user, departmentId);
    }
    case 'report.faculty':
      return holdsUniversity(user) || isDeanOf(user, (resource as ResourceFor['report.faculty']).facultyId);
    case 'report.university':
      return holdsUniversity(user);
    case 'report.remind':
    case 'policy.edit':
      return isHeadOf(user, (resource as ResourceFor['report.remind']).departmentId);
    case 'teaching.edit':
      return holds(user, 'admin') || isHeadOf(user, (resource as ResourceFor['teaching.edit']).departmentId);
    case 'admin.manage':
      return holds(user, 'admin');
    default:
      return false;
  }
}

/** Throws the AppError a refusal maps to: 401 without a user, 404 for hidden things, 403 otherwise. */
export function requirePermission<A extends Action>(
  user: Principal | null,
  action: A,
  resource: ResourceFor[A],
): asserts user is Principal {
  if (!user) throw new AppError('unauthorized');
  if (can(user, action, resource)) return;
  throw new AppError(hiddenWhenRefused.has(action) ? 'not_found' : 'forbidden');
}

/** Which cabinets a user may list: the same rule as `cabinet.view`, as filters for queries (any one admits a cabinet). */
export type CabinetFilter =
  | { kind: 'all' }
  | { kind: 'faculty'; facultyId: string }
  | { kind: 'department'; departmentId: string }
  | { kind: 'instructor'; instructorId: string }
  | { kind: 'groups'; groupIds: readonly string[] };

/** The filters whose union is what `user` may see; empty: nothing. */
export function visibleCabinets(user: Principal): CabinetFilter[] {
  if (holdsUniversity(user)) return [{ kind: 'all' }];
  const filters: CabinetFilter[] = [];
  for (const grant of user.roles) {
    if (grant.role === 'dean' && grant.facultyId) filters.push({ kind: 'faculty', facultyId: grant.facultyId });
    if (grant.role === 'head' && grant.departmentId)
      filters.push({ kind: 'department', departmentId: grant.departmentId });
  }
  if (holds(user, 'instructor')) filters.push({ kind: 'instructor', instructorId: user.id });
  if (user.groupIds.length > 0) filters.push({ kind: 'groups', groupIds: user.groupIds });
  return filters;
}

/** The reports a person starts from, widest first (each leads down to cabinets): a head of two departments has two. */
export function reportEntries(
  user: Principal,
): Array<{ level: 'university' | 'faculty' | 'department'; id: string | null; to: string }> {
  if (can(user, 'report.university', {})) return [{ level: 'university', id: null, to: '/reports/university' }];
  const entries: ReturnType<typeof reportEntries> = [];
  for (const grant of user.roles) {
    if (grant.role === 'dean' && grant.facultyId)
      entries.push({ level: 'faculty', id: grant.facultyId, to: `/reports/faculties/${grant.facultyId}` });
  }
  for (const grant of user.roles) {
    if (grant.role === 'head' && grant.departmentId)
      entries.push({ level: 'department', id: grant.departmentId, to: `/reports/departments/${grant.departmentId}` });
  }
  return entries;
}

/** Whether the person teaches (holds an instructor role), studies (is in a group), or oversees something. */
export function homeSections(user: Principal): { teaching: boolean; studying: boolean; overseeing: boolean } {
  return {
    teaching: holds(user, 'instructor'),
    studying: user.groupIds.length > 0,
    overseeing: user.roles.some((grant) => grant.role !== 'instructor'),
  };
}

const roleOrder: readonly Role[] = ['admin', 'vice_rector', 'dean', 'head', 'instructor', 'student'];

/** The roles a person holds, each once, widest first (what the header shows beside the name). */
export function roleNames(user: Principal): Role[] {
  const held = new Set<Role>(user.roles.map((grant) => grant.role));
  if (user.groupIds.length > 0) held.add('student');
  return roleOrder.filter((role) => held.has(role));
}

/** Who does something, and from where (the audit log records both). */
export type Actor = { user: Principal; ip: string | null };

/** The departments whose teaching the person keeps as their head (the admin keeps all of them from /admin). */
export function teachingEntries(user: Principal): string[] {
  return user.roles.filter((grant) => grant.role === 'head' && grant.departmentId).map((grant) => grant.departmentId!);
}
