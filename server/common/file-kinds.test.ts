// What each slot takes, as the browser and the server both judge it.
import { describe, expect, it } from 'vitest';
import { acceptAttribute, kindByName, refusalFor } from './file-kinds.ts';

describe('what a slot takes', () => {
  it('takes recordings in a lecture, documents, images and videos in a practical, documents and images in an assessment', () => {
    expect(refusalFor('Лекция 1.mp4', 'lecture_video')).toBeNull();
    expect(refusalFor('lecture.m4a', 'lecture_video')).toBeNull();
    expect(refusalFor('Конспект.pdf', 'lecture_video')).toBe('upload.slotTakes.lecture_video');
    expect(refusalFor('slide.png', 'lecture_video')).toBe('upload.slotTakes.lecture_video');
    expect(refusalFor('task.docx', 'practical_material')).toBeNull();
    expect(refusalFor('demo.mov', 'practical_material')).toBeNull();
    expect(refusalFor('talk.mp3', 'practical_material')).toBe('upload.slotTakes.practical_material');
    expect(refusalFor('variant.pdf', 'interim_assessment')).toBeNull();
    expect(refusalFor('answers.mp4', 'interim_assessment')).toBe('upload.slotTakes.interim_assessment');
  });

  it('takes any kind we accept outside the plan, and never a type we do not take', () => {
    expect(refusalFor('notes.mp3', null)).toBeNull();
    expect(refusalFor('setup.exe', null)).toBe('upload.type_not_allowed');
    expect(refusalFor('setup.exe', 'practical_material')).toBe('upload.type_not_allowed');
  });

  it("offers the file chooser only the slot's extensions", () => {
    const lecture = acceptAttribute('lecture_video').split(',');
    expect(lecture).toContain('.mp4');
    expect(lecture).toContain('.mp3');
    expect(lecture.every((extension) => ['video', 'audio'].includes(kindByName(`x${extension}`) ?? ''))).toBe(true);
    expect(acceptAttribute(null).split(',')).toContain('.pdf');
  });
});
