// Worker thread of text-pool.ts: the parsing that costs time in proportion to what a person typed
// or uploaded (Markdown instructions, GIFT and Aiken question banks), kept off the thread that
// serves every page. It runs below the web thread's priority (nice 5).
import { createElement, type ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import Markdown from 'react-markdown';
import { importAiken, importGift, type ImportResult } from '../quizzes/question-formats.ts';
import { lowerThisThreadsPriority } from '../thread-priority.ts';

lowerThisThreadsPriority(5);

export type TextTask =
  { kind: 'markdown'; text: string } | { kind: 'questions'; format: 'gift' | 'aiken'; text: string };

const link = ({ href, children }: { href?: string; children?: ReactNode }) =>
  createElement('a', { href, rel: 'noopener noreferrer nofollow', target: '_blank' }, children);

/**
 * Markdown to HTML: react-markdown renders no raw HTML (skipHtml) and drops unsafe link schemes
 * (javascript:), so a student's browser runs nothing an instructor typed.
 */
export function markdownToHtml(text: string): string {
  return renderToStaticMarkup(createElement(Markdown, { skipHtml: true, components: { a: link } }, text));
}

export default function run(task: TextTask): string | ImportResult {
  if (task.kind === 'markdown') return markdownToHtml(task.text);
  return task.format === 'gift' ? importGift(task.text) : importAiken(task.text);
}
