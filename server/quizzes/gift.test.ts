// GIFT read as Moodle reads it. The file below has, question for question, the constructs of Moodle's
// own GIFT import fixture (question/format/gift/tests/fixtures/questions.gift.txt: an essay, matching
// with format markers and a distractor, single choice with feedback, multiple answers with weights,
// a numeric range with wrong-answer feedback and text after the braces, weighted short answers with
// a 0 % wildcard, true/false with feedback and general feedback, and T/TRUE), written in our words.
// Each question must come in as Moodle makes it, and a student's answers must earn Moodle's marks.
import { describe, expect, it } from 'vitest';
import { creditFor, feedbackFor, type AttemptQuestion, type Answer } from './grading.ts';
import { exportGift, importGift, type QuestionDraft } from './question-formats.ts';

const fixture = `// essay
::Q8:: Кандайсыз? {}

// question: 2  name: Ишмердүүлүктөр
::Ишмердүүлүктөр::[html]Ишмердүүлүктү <b>сүрөттөмөсү</b> менен туташтырыңыз.{
    =[html]Асинхрондук талкуулар үчүн. -> Форум
    =[moodle]Мугалим суроо берип, жооп варианттарын берет. -> Тандоо
    =[plain]Катышуучулар жазуу кошо турган жыйнак. -> Маалымат базасы
    =[markdown]Ар ким түзөтө ала турган барактар. -> Вики
    = -> Чат
}

// single choice with feedback for right and wrong answers
::Q2:: Кызгылт сары менен жашылдын ортосунда кайсы түс?
{
    =сары # туура; жакшы!
    ~кызыл # [html]туура эмес, сары
    ~[plain]көк # туура эмес, сары
}

// multiple answers with weights and feedback
::түстөр:: Кызгылт сары менен жашылдын ортосунда кайсы түстөр?
{
    ~%50%сары # туура; жакшы!
    ~%-100%кызыл # [html]туура эмес
    ~%50%ачык сары # туура; жакшы!
    ~%-100%[plain]көк # туура эмес
}

// numeric range
::Q5:: 1ден 5ке чейинки бир сан? {#3:2~#Таптакыр туура эмес}";

// question: 666  name: Кыска
::Кыска::Эң мыкты жаныбар кайсы?{
    =Бака#Жакшы!
    =%50%Мышык#Эмнеге баары мышыкты жакшы көрөт?
    =%0%*#Таптакыр туура эмес
}

// true/false, with general feedback
::Q1:: 42 — бардык суроолордун жообу.{
FALSE#42 — Акыркы Жооп.#Туура жооп бердиңиз.
####Бул Галактика боюнча жол көрсөткүчкө шилтеме.}";

// name 0-11
::2-08 TSL::TSL деген бла-бла.{T}

// name 0-11
::2-08 TSL::TSL деген бла-бла.{TRUE}
`;

const asDrawn = (question: QuestionDraft): AttemptQuestion => ({
  questionId: 'q',
  title: question.title,
  stem: question.stem,
  hasImage: false,
  data: question.data,
  ...(question.data.kind === 'matching'
    ? { rights: [...question.data.pairs.map((pair) => pair.right), ...(question.data.distractors ?? [])] }
    : {}),
});
const mark = (question: QuestionDraft, answer: Answer) => ({
  credit: creditFor(asDrawn(question), answer),
  feedback: feedbackFor(asDrawn(question), answer),
});

describe('GIFT as Moodle reads it', () => {
  const { questions, problems } = importGift(fixture);
  const byTitle = (title: string) => questions.find((question) => question.title === title)!;

  it('imports the eight questions of kinds Kabinet grades, and says why the essay is not', () => {
    expect(questions.map((question) => [question.title, question.data.kind])).toEqual([
      ['Ишмердүүлүктөр', 'matching'],
      ['Q2', 'single'],
      ['түстөр', 'multiple'],
      ['Q5', 'numeric'],
      ['Кыска', 'short'],
      ['Q1', 'true_false'],
      ['2-08 TSL', 'true_false'],
      ['2-08 TSL', 'true_false'],
    ]);
    expect(problems.map((problem) => [problem.line, problem.reason])).toEqual([[2, 'quiz.import.essay']]);
  });

  it('keeps texts as Moodle shows them: markers and tags dropped, a blank where answers sat mid-text', () => {
    expect(byTitle('Ишмердүүлүктөр').stem).toBe('Ишмердүүлүктү сүрөттөмөсү менен туташтырыңыз.');
    expect(byTitle('Ишмердүүлүктөр').data).toMatchObject({
      pairs: [
        { left: 'Асинхрондук талкуулар үчүн.', right: 'Форум' },
        { left: 'Мугалим суроо берип, жооп варианттарын берет.', right: 'Тандоо' },
        { left: 'Катышуучулар жазуу кошо турган жыйнак.', right: 'Маалымат базасы' },
        { left: 'Ар ким түзөтө ала турган барактар.', right: 'Вики' },
      ],
      distractors: ['Чат'],
    });
    expect(byTitle('Q5').stem).toBe('1ден 5ке чейинки бир сан? _____";');
    expect(byTitle('Q1').data).toEqual({
      kind: 'true_false',
      answer: false,
      feedbackTrue: '42 — Акыркы Жооп.',
      feedbackFalse: 'Туура жооп бердиңиз.',
      generalFeedback: 'Бул Галактика боюнча жол көрсөткүчкө шилтеме.',
    });
  });

  it('marks answers as Moodle marks them, with each answer’s feedback', () => {
    expect(mark(byTitle('Q2'), { choice: 0 })).toEqual({ credit: 1, feedback: ['туура; жакшы!'] });
    expect(mark(byTitle('Q2'), { choice: 1 })).toEqual({ credit: 0, feedback: ['туура эмес, сары'] });
    // Multiple answers: the weights add up, never below zero.
    expect(mark(byTitle('түстөр'), { choices: [0, 2] }).credit).toBe(1);
    expect(mark(byTitle('түстөр'), { choices: [0] }).credit).toBe(0.5);
    expect(mark(byTitle('түстөр'), { choices: [0, 1] }).credit).toBe(0);
    // A range 1..5 given as 3 ± 2, and what any other number is told.
    for (const number of ['1', '3', '4,5', '5']) expect(mark(byTitle('Q5'), { number }).credit).toBe(1);
    expect(mark(byTitle('Q5'), { number: '5.5' })).toEqual({ credit: 0, feedback: ['Таптакыр туура эмес'] });
    // Short answers: a 50 % answer earns half, the 0 % wildcard catches the rest and earns nothing.
    expect(mark(byTitle('Кыска'), { text: 'бака' })).toEqual({ credit: 1, feedback: ['Жакшы!'] });
    expect(mark(byTitle('Кыска'), { text: 'Мышык' })).toEqual({
      credit: 0.5,
      feedback: ['Эмнеге баары мышыкты жакшы көрөт?'],
    });
    expect(mark(byTitle('Кыска'), { text: 'ит' })).toEqual({ credit: 0, feedback: ['Таптакыр туура эмес'] });
    // True/false: the right choice's feedback, or the wrong one's, then the general feedback.
    const general = 'Бул Галактика боюнча жол көрсөткүчкө шилтеме.';
    expect(mark(byTitle('Q1'), { value: false })).toEqual({ credit: 1, feedback: ['Туура жооп бердиңиз.', general] });
    expect(mark(byTitle('Q1'), { value: true })).toEqual({ credit: 0, feedback: ['42 — Акыркы Жооп.', general] });
    expect(mark(questions[6]!, { value: true }).credit).toBe(1);
    // Matching: each pair counts; the distractor is never right.
    const rights = asDrawn(byTitle('Ишмердүүлүктөр')).rights!;
    expect(
      mark(byTitle('Ишмердүүлүктөр'), { matches: [0, 1, rights.indexOf('Чат'), rights.indexOf('Чат')] }).credit,
    ).toBe(0.5);
  });

  it('exports the weights and feedback back: the file imports to the same questions', () => {
    const again = importGift(exportGift(questions));
    expect(again.problems).toEqual([]);
    expect(again.questions).toEqual(questions);
  });
});

describe('short answers with wildcards', () => {
  const question = (text: string): QuestionDraft => ({
    title: 'w',
    stem: 'w',
    data: { kind: 'short', answers: [{ text, weight: 100 }] },
  });
  it('matches `*` as any characters, and a long pattern against a long answer at once', () => {
    expect(mark(question('Ала-*'), { text: 'Ала-Тоо' }).credit).toBe(1);
    expect(mark(question('*тоо'), { text: 'Ала-Тоо' }).credit).toBe(1);
    expect(mark(question('*тоо'), { text: 'Ала-Тоолор' }).credit).toBe(0);
    expect(mark(question('a*b*c'), { text: 'a-x-b-y-c' }).credit).toBe(1);
    // A backtracking matcher would not finish this within the test's time limit.
    expect(mark(question(`${'*a'.repeat(40)}*b`), { text: 'a'.repeat(500) }).credit).toBe(0);
  });
});

describe('odd GIFT, as Moodle reads it', () => {
  const only = (text: string) => importGift(text).questions[0]!;
  it('gives a `=` choice 100 % whatever follows, drops empty choices, keeps `<` and `>` that are not tags', () => {
    expect(only('::a:: Тандаңыз {=%50%жооп ~ ~б}').data).toEqual({
      kind: 'single',
      choices: [
        { text: '%50%жооп', correct: true, weight: 100 },
        { text: 'б', correct: false, weight: 0 },
      ],
    });
    expect(only('::b:: 3 < 5 жана 7 > 2, &lt;b&gt; тег эмес {T}').stem).toBe('3 < 5 жана 7 > 2, <b> тег эмес');
    expect(only('::c:: <p>Абзац</p> {T}').stem).toBe('Абзац');
  });

  it('keeps a `#` inside the right-answer feedback of a true/false question', () => {
    expect(only('::d:: Туурабы? {TRUE#Жок.#Ооба, №1 \\# эмес#бирок}').data).toMatchObject({
      feedbackTrue: 'Ооба, №1 # эмес#бирок',
      feedbackFalse: 'Жок.',
    });
  });
});
