// The demo university's fixed parts: its password and domain, its people's names, its running term.
export const demoPassword = 'kabinet-demo';
export const demoDomain = 'demo.kabinet.kg';

const maleNames = ['Азамат', 'Бакыт', 'Эрлан', 'Нурбек', 'Тилек', 'Улан', 'Данияр', 'Мирлан', 'Адилет', 'Чыңгыз'];
const femaleNames = [
  'Айгерим',
  'Айпери',
  'Нургүл',
  'Жыпар',
  'Бегимай',
  'Асел',
  'Мээрим',
  'Чолпон',
  'Элнура',
  'Күмүшай',
];
const surnames = [
  'Асанов',
  'Бакиров',
  'Токтогулов',
  'Жумабаев',
  'Осмонов',
  'Сыдыков',
  'Абдыкадыров',
  'Мамытов',
  'Турдубаев',
  'Эсенов',
  'Кадыров',
  'Өмүрзаков',
  'Үсөнов',
];

/** A deterministic Kyrgyz name for the n-th demo person. */
export function demoName(n: number): string {
  const female = n % 2 === 1;
  const first = (female ? femaleNames : maleNames)[n % 10] as string;
  const surname = surnames[(n * 7) % surnames.length] as string;
  return `${female ? `${surname}а` : surname} ${first}`;
}

/** The running term: autumn from September, spring from February, starting on a Monday. */
export function demoTermFor(today: Date): { academicYear: string; semester: 1 | 2; startsOn: string } {
  const year = today.getUTCFullYear();
  const month = today.getUTCMonth();
  const autumn = month >= 7 || month === 0;
  const firstYear = autumn && month !== 0 ? year : year - 1;
  const start = autumn ? new Date(Date.UTC(month === 0 ? year - 1 : year, 8, 1)) : new Date(Date.UTC(year, 1, 1));
  while (start.getUTCDay() !== 1) start.setUTCDate(start.getUTCDate() + 1);
  return {
    academicYear: `${firstYear}-${firstYear + 1}`,
    semester: autumn ? 1 : 2,
    startsOn: start.toISOString().slice(0, 10),
  };
}

/** The registrar-style code of a term: academic year and semester (`2026-2027-1`). */
export function demoTermCode(term: { academicYear: string; semester: number }): string {
  return `${term.academicYear}-${term.semester}`;
}
