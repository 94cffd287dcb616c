// An e-mail address as Kabinet keeps it: one @, no spaces or control characters, a dot in the
// domain, RFC 5321 lengths, lower case. Only ASCII letters are lowered: JavaScript's full case
// folding turns look-alikes into ASCII (the Kelvin sign U+212A becomes "k"), which would let
// `x@university.\u212Ag` pass for `x@university.kg`.
const shape = /^[^\s\p{Cc}@]{1,64}@[^\s\p{Cc}@]+\.[^\s\p{Cc}@.]{2,}$/u;

export const emailMaxLength = 254;

/** The address in the form it is stored and compared in, or null when it is not one. */
export function normalizeEmail(text: string): string | null {
  const lower = text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
  return lower.length <= emailMaxLength && shape.test(lower) && !lower.includes('..') ? lower : null;
}
