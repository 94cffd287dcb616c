// The cabinet page's intents (its action's form posts): one small function each, every one
// authorized by the server function it calls. What an intent answers is the action's `result`.
import { z } from 'zod';
import type { Actor } from '../server/auth/permissions.ts';
import { createExtraItem, itemFieldsSchema, setItemStatus, updateItem } from '../server/cabinets/items.ts';
import { removeFile, removeItem, restoreFile, restoreItem } from '../server/cabinets/removal.ts';
import { assignmentFieldsSchema, createAssignment } from '../server/assignments/assignments.ts';
import { createQuiz, quizFieldsSchema } from '../server/quizzes/quizzes.ts';
import { copyFromPreviousTerm, type CopyResult } from '../server/cabinets/reuse.ts';
import { removeCaption, retryProcessing, setCaption } from '../server/media/lectures.ts';
import type { Services } from '../server/services.ts';

export const intentSchema = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('create-item'), requestKey: z.string().uuid().optional() }).merge(itemFieldsSchema),
  z.object({ intent: z.literal('update-item'), itemId: z.string() }).merge(itemFieldsSchema),
  z.object({ intent: z.literal('publish'), itemId: z.string() }),
  z.object({ intent: z.literal('unpublish'), itemId: z.string() }),
  z.object({ intent: z.literal('retry-processing'), fileId: z.string() }),
  z.object({
    intent: z.literal('set-caption'),
    fileId: z.string(),
    language: z.string(),
    captions: z.instanceof(File, { message: 'captions.invalid' }),
  }),
  z.object({ intent: z.literal('remove-caption'), fileId: z.string(), language: z.string() }),
  // No slot: the assessment is an extra item of the cabinet.
  z.object({ intent: z.literal('create-assignment'), slotId: z.string().default('') }).merge(assignmentFieldsSchema),
  z.object({ intent: z.literal('create-quiz'), slotId: z.string().default('') }).merge(quizFieldsSchema),
  z.object({ intent: z.literal('copy-term'), sourceCabinetId: z.string() }),
  z.object({ intent: z.literal('remove-item'), itemId: z.string() }),
  z.object({ intent: z.literal('restore-item'), itemId: z.string() }),
  z.object({ intent: z.literal('remove-file'), fileId: z.string() }),
  z.object({ intent: z.literal('restore-file'), fileId: z.string() }),
]);

type Intent = z.infer<typeof intentSchema>;
type IntentOf<K extends Intent['intent']> = Extract<Intent, { intent: K }>;
/** What every intent works with: the services, who acts, and the cabinet of the page. */
export type Context = { services: Services; actor: Actor; cabinetId: string };

const createItem = ({ services, actor, cabinetId }: Context, input: IntentOf<'create-item'>) =>
  createExtraItem(services.db, actor, cabinetId, input, input.requestKey);
const editItem = ({ services, actor }: Context, input: IntentOf<'update-item'>) =>
  updateItem(services.db, actor, input.itemId, input);
const publishOrNot = ({ services, actor }: Context, input: IntentOf<'publish' | 'unpublish'>) =>
  setItemStatus(services.db, actor, input.itemId, input.intent === 'publish' ? 'published' : 'draft');
const retry = ({ services, actor }: Context, input: IntentOf<'retry-processing'>) =>
  retryProcessing(services.db, services.queue, actor, input.fileId);
const addCaptions = async ({ services, actor }: Context, input: IntentOf<'set-caption'>) =>
  setCaption(services.db, actor, input.fileId, input.language, new Uint8Array(await input.captions.arrayBuffer()));
const dropCaptions = ({ services, actor }: Context, input: IntentOf<'remove-caption'>) =>
  removeCaption(services.db, actor, input.fileId, input.language);
const newAssignment = ({ services, actor, cabinetId }: Context, input: IntentOf<'create-assignment'>) =>
  createAssignment(services.db, actor, { cabinetId, slotId: input.slotId || null }, input);
const newQuiz = ({ services, actor, cabinetId }: Context, input: IntentOf<'create-quiz'>) =>
  createQuiz(services.db, actor, { cabinetId, slotId: input.slotId || null }, input);
const copyTerm = async ({ services, actor, cabinetId }: Context, input: IntentOf<'copy-term'>) => ({
  copied: await copyFromPreviousTerm(services.db, actor, cabinetId, input.sourceCabinetId),
});

/** Removal and restore (removal.ts): a restored item says whether it went back into its slot. */
async function undoable(
  { services, actor }: Context,
  input: IntentOf<'remove-item' | 'restore-item' | 'remove-file' | 'restore-file'>,
) {
  const { db, config } = services;
  switch (input.intent) {
    case 'remove-item':
      await removeItem(db, actor, input.itemId);
      return { removed: 'item' as const };
    case 'remove-file':
      await removeFile(db, actor, input.fileId);
      return { removed: 'file' as const };
    case 'restore-item':
      return {
        restored: (await restoreItem(db, actor, input.itemId, config.removedRetentionMs)).intoSlot
          ? ('slot' as const)
          : ('extra' as const),
      };
    case 'restore-file':
      await restoreFile(services, actor, input.fileId, config.removedRetentionMs);
      return { restored: 'file' as const };
  }
}

export type IntentResult =
  { copied: CopyResult } | { removed: 'item' | 'file' } | { restored: 'slot' | 'extra' | 'file' } | null;

/** One small function per intent; what an intent answers is the action's `result`. */
export async function runIntent(context: Context, input: Intent): Promise<IntentResult> {
  switch (input.intent) {
    case 'remove-item':
    case 'restore-item':
    case 'remove-file':
    case 'restore-file':
      return undoable(context, input);
    case 'create-item':
      await createItem(context, input);
      return null;
    case 'update-item':
      await editItem(context, input);
      return null;
    case 'publish':
    case 'unpublish':
      await publishOrNot(context, input);
      return null;
    case 'retry-processing':
      await retry(context, input);
      return null;
    case 'set-caption':
      await addCaptions(context, input);
      return null;
    case 'remove-caption':
      await dropCaptions(context, input);
      return null;
    case 'create-assignment':
      await newAssignment(context, input);
      return null;
    case 'create-quiz':
      await newQuiz(context, input);
      return null;
    case 'copy-term':
      return copyTerm(context, input);
  }
}
