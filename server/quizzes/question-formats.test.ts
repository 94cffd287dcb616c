import { describe, expect, it } from 'vitest';
import { exportGift, importAiken, importGift } from './question-formats.ts';

const gift = `// Кыргызстан боюнча суроолор
$CATEGORY: география

::Борбор:: Кыргызстандын борбору кайсы шаар? {
  =Бишкек
  ~Ош
  ~Нарын
}

::Теңдеме:: 2+2\\=4 {T}

// a comment between questions
::Пи:: π санынын маанисин жазыңыз {#3.14:0.01}

::Жуптар:: Шаарды облусу менен туташтырыңыз {
  =Каракол -> Ысык-Көл
  =Талас -> Талас
  =Ош -> Ош
}

::Ысымы:: Манастын уулунун аты? {=Семетей =семетей}

::Көп:: Кайсылары тоо? {~%50%Хан-Теңири ~%50%Жеңиш чокусу ~%-100%Ысык-Көл}

::Сынган:: Бул суроонун жообу жабылган эмес {=а ~б

::Эссе:: Өзүңүз жөнүндө жазыңыз {}

::Туура эмес:: Бир да туура жооп жок {~а ~б}

::Кыстарма:: Манас {=эпос ~роман} - кыргыз элинин ...
`;

describe('GIFT import', () => {
  it('reads Cyrillic questions of every kind Kabinet grades, with escapes and comments', () => {
    const { questions } = importGift(gift);
    expect(questions.map((q) => [q.title, q.data.kind])).toEqual([
      ['Борбор', 'single'],
      ['Теңдеме', 'true_false'],
      ['Пи', 'numeric'],
      ['Жуптар', 'matching'],
      ['Ысымы', 'short'],
      ['Көп', 'multiple'],
      ['Кыстарма', 'single'],
    ]);
    expect(questions[0]!.data).toEqual({
      kind: 'single',
      choices: [
        { text: 'Бишкек', correct: true, weight: 100 },
        { text: 'Ош', correct: false, weight: 0 },
        { text: 'Нарын', correct: false, weight: 0 },
      ],
    });
    expect(questions[1]!.stem).toBe('2+2=4');
    expect(questions[2]!.data).toEqual({ kind: 'numeric', answers: [{ value: 3.14, tolerance: 0.01, weight: 100 }] });
    expect(questions[4]!.data).toEqual({
      kind: 'short',
      answers: [
        { text: 'Семетей', weight: 100 },
        { text: 'семетей', weight: 100 },
      ],
    });
    // Answers in the middle of the text leave a blank where they were, as in Moodle.
    expect(questions[6]!.stem).toBe('Манас _____ - кыргыз элинин ...');
    expect(questions[5]!.data).toMatchObject({
      kind: 'multiple',
      choices: [
        { correct: true, weight: 50 },
        { correct: true, weight: 50 },
        { correct: false, weight: -100 },
      ],
    });
  });

  it('reports each question it could not import with its line and the reason, and keeps the rest', () => {
    const { problems } = importGift(gift);
    const lineOf = (start: string) => gift.split('\n').findIndex((line) => line.startsWith(start)) + 1;
    expect(problems).toEqual([
      {
        line: lineOf('::Сынган::'),
        reason: 'quiz.import.syntax',
        excerpt: '::Сынган:: Бул суроонун жообу жабылган эмес {=а ~б',
      },
      { line: lineOf('::Эссе::'), reason: 'quiz.import.essay', excerpt: '::Эссе:: Өзүңүз жөнүндө жазыңыз {}' },
      {
        line: lineOf('::Туура эмес::'),
        reason: 'quiz.import.no_correct_choice',
        excerpt: '::Туура эмес:: Бир да туура жооп жок {~а ~б}',
      },
    ]);
  });

  it('exports GIFT that imports back to the same questions', () => {
    const { questions } = importGift(gift);
    const again = importGift(exportGift(questions));
    expect(again.problems).toEqual([]);
    expect(again.questions).toEqual(questions);
    expect(exportGift([{ title: 'a:b', stem: '1=1 {ok}', data: { kind: 'true_false', answer: true } }])).toBe(
      '::a\\:b:: 1\\=1 \\{ok\\} {TRUE}\n',
    );
  });
});

describe('Aiken import', () => {
  it('reads single-answer questions and reports the broken ones', () => {
    const text = [
      'Кыргызстандын эң бийик чокусу?',
      'A. Жеңиш чокусу',
      'B) Ленин чокусу',
      'C. Хан-Теңири',
      'ANSWER: A',
      '',
      'Жообу жок суроо',
      'A. бир',
      'B. эки',
      '',
      'Жообу туура эмес',
      'A. бир',
      'B. эки',
      'ANSWER: D',
    ].join('\r\n');
    const { questions, problems } = importAiken(text);
    expect(questions).toEqual([
      {
        title: 'Кыргызстандын эң бийик чокусу?',
        stem: 'Кыргызстандын эң бийик чокусу?',
        data: {
          kind: 'single',
          choices: [
            { text: 'Жеңиш чокусу', correct: true, weight: 100 },
            { text: 'Ленин чокусу', correct: false, weight: 0 },
            { text: 'Хан-Теңири', correct: false, weight: 0 },
          ],
        },
      },
    ]);
    expect(problems.map((p) => [p.line, p.reason])).toEqual([
      [7, 'quiz.import.aiken_no_answer'],
      [11, 'quiz.import.aiken_no_answer'],
    ]);
  });
});
