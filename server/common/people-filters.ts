// What the people search filters by (pure: the page offers the same choices the server accepts).
import { importRoles } from './import-kinds.ts';

export const personStates = ['active', 'disabled', 'no_password'] as const;
export type PersonState = (typeof personStates)[number];
export const filterRoles = [...importRoles, 'student'] as const;
