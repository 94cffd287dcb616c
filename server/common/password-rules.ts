// The password rules (NIST SP 800-63B): long enough, no composition rules, an upper bound so that
// hashing stays cheap. Pure: the forms show the same limits the server checks.
export const passwordLimits = { min: 10, max: 256 } as const;
