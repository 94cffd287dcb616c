// The one permission module: `can(user, action, resource)` and the row scopes that queries apply.
import type { ItemStatus, Role } from '../../db/schema.ts';
import { AppError } from '../errors.ts';

export type Principal = {
  id: string;
  role: Role;
  facultyId: string | null;
  departmentId: string | null;
  /** Study groups of a student; empty for everyone else. */
  groupIds: readonly string[];
};

/** Where a cabinet sits: enough to decide every rule without another query. */
export type CabinetScope = {
  instructorId: string;
  departmentId: string;
  facultyId: string;
  groupIds: readonly string[];
};

export type ResourceFor = {
  /** Open a cabinet for a teaching assignment (instructor × subject × term). */
  'cabinet.open': { instructorId: string };
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
};
export type Action = keyof ResourceFor;

/** Actions whose refusal is answered "not found", so that nothing is learned about what exists. */
const hiddenWhenRefused: ReadonlySet<Action> = new Set(['cabinet.view', 'item.view', 'upload.continue', 'progress.record', 'submission.view']);

function seesCabinet(user: Principal, cabinet: CabinetScope): boolean {
  switch (user.role) {
    case 'admin':
    case 'vice_rector':
      return true;
    case 'dean':
      return user.facultyId === cabinet.facultyId;
    case 'head':
      return user.departmentId === cabinet.departmentId;
    case 'instructor':
      return user.id === cabinet.instructorId;
    case 'student':
      return cabinet.groupIds.some((groupId) => user.groupIds.includes(groupId));
  }
}

function ownsCabinet(user: Principal, cabinet: CabinetScope): boolean {
  return user.role === 'instructor' && user.id === cabinet.instructorId;
}

export function can<A extends Action>(user: Principal | null, action: A, resource: ResourceFor[A]): boolean {
  if (!user) return false;
  switch (action) {
    case 'cabinet.open':
      return user.role === 'instructor' && user.id === (resource as ResourceFor['cabinet.open']).instructorId;
    case 'cabinet.view':
      return seesCabinet(user, resource as CabinetScope);
    case 'cabinet.edit':
      return ownsCabinet(user, resource as CabinetScope);
    case 'item.view': {
      const { cabinet, status } = resource as ResourceFor['item.view'];
      // Students see what is published; staff who see the cabinet also see drafts.
      return seesCabinet(user, cabinet) && (status === 'published' || user.role !== 'student');
    }
    case 'upload.continue': {
      const { ownerId, cabinet, forSubmission } = resource as ResourceFor['upload.continue'];
      if (user.id !== ownerId) return false;
      return forSubmission ? user.role === 'student' && seesCabinet(user, cabinet) : ownsCabinet(user, cabinet);
    }
    case 'progress.record': {
      const { cabinet, status } = resource as ResourceFor['progress.record'];
      return user.role === 'student' && status === 'published' && seesCabinet(user, cabinet);
    }
    case 'progress.view':
      return user.role !== 'student' && seesCabinet(user, resource as CabinetScope);
    case 'assignment.submit': {
      const { cabinet, status } = resource as ResourceFor['assignment.submit'];
      return user.role === 'student' && status === 'published' && seesCabinet(user, cabinet);
    }
    case 'submission.view': {
      const { cabinet, studentId } = resource as ResourceFor['submission.view'];
      if (user.role === 'student') return user.id === studentId && seesCabinet(user, cabinet);
      return seesCabinet(user, cabinet);
    }
    case 'submission.grade':
      return ownsCabinet(user, resource as CabinetScope);
    case 'report.view': {
      const { departmentId, facultyId } = resource as ResourceFor['report.view'];
      if (user.role === 'head') return user.departmentId === departmentId;
      if (user.role === 'dean') return user.facultyId === facultyId;
      return user.role === 'vice_rector' || user.role === 'admin';
    }
    case 'report.faculty':
      if (user.role === 'dean') return user.facultyId === (resource as ResourceFor['report.faculty']).facultyId;
      return user.role === 'vice_rector' || user.role === 'admin';
    case 'report.university':
      return user.role === 'vice_rector' || user.role === 'admin';
    case 'report.remind':
    case 'policy.edit':
      return user.role === 'head' && user.departmentId === (resource as ResourceFor['report.remind']).departmentId;
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

/** Which cabinets a user may list: the same rule as `cabinet.view`, as a filter for queries. */
export type CabinetFilter =
  | { kind: 'all' }
  | { kind: 'faculty'; facultyId: string }
  | { kind: 'department'; departmentId: string }
  | { kind: 'instructor'; instructorId: string }
  | { kind: 'groups'; groupIds: readonly string[] };

export function visibleCabinets(user: Principal): CabinetFilter {
  switch (user.role) {
    case 'admin':
    case 'vice_rector':
      return { kind: 'all' };
    case 'dean':
      return { kind: 'faculty', facultyId: user.facultyId ?? '' };
    case 'head':
      return { kind: 'department', departmentId: user.departmentId ?? '' };
    case 'instructor':
      return { kind: 'instructor', instructorId: user.id };
    case 'student':
      return { kind: 'groups', groupIds: user.groupIds };
  }
}
