// How long a session lasts unused: staff (anyone holding a role) sign in on shared computers and
// handle others' data, so they are signed out after a working day; students after a month.
export const sessionIdleDefaults = { staffHours: 8, studentDays: 30 } as const;

export type SessionIdle = { staff: number; students: number };

export const defaultSessionIdle: SessionIdle = {
  staff: sessionIdleDefaults.staffHours * 3600 * 1000,
  students: sessionIdleDefaults.studentDays * 24 * 3600 * 1000,
};
