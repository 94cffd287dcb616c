// Why a slot is overdue, as the instructor reads it on the plan.
import { describe, expect, it } from 'vitest';
import type { FileKind } from '../../db/schema.ts';
import { overdueReason } from './cabinet-page.ts';

const file = (fileKind: FileKind) => ({ fileKind });

describe('why a slot is overdue', () => {
  it('says missing, not published, not processed, or no recording', () => {
    expect(overdueReason('practical_material', undefined)).toBe('missing');
    expect(overdueReason('practical_material', { status: 'draft', files: [file('document')] })).toBe('not_published');
    expect(overdueReason('lecture_video', { status: 'published', files: [file('video')] })).toBe('not_processed');
    expect(overdueReason('lecture_video', { status: 'published', files: [file('document')] })).toBe('no_recording');
    expect(overdueReason('lecture_video', { status: 'draft', files: [] })).toBe('not_published');
  });
});
