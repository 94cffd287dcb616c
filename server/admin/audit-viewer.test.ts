// The audit log viewer: filters, newest first in pages, and a CSV whose cells cannot run as formulas.
import { describe, expect, it } from 'vitest';
import { principal } from '../../tests/helpers/demo-cabinet.ts';
import { testDatabaseForFile } from '../../tests/helpers/test-db.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { auditCsv, auditPage, auditPageSize, csvField } from './audit-viewer.ts';

const file = testDatabaseForFile();
const none = { person: '', action: '', objectType: '', objectId: '', from: '', to: '' };

describe('audit log viewer', () => {
  it('filters by person, action, object and date, newest first, a page at a time', async () => {
    const admin = await principal(file.db, 'admin');
    const head = await principal(file.db, 'head');
    for (let i = 0; i < auditPageSize + 5; i++)
      await recordAudit(file.db, {
        actorId: head.id,
        action: 'teaching.add',
        objectType: 'teaching_assignment',
        objectId: `t-${i}`,
        ip: '10.0.0.9',
      });
    await recordAudit(file.db, {
      actorId: admin.id,
      action: 'import.apply',
      objectType: 'import',
      objectId: 'run-1',
      data: { note: '=HYPERLINK("http://evil")' },
    });
    const byPerson = await auditPage(file.db, admin, { ...none, person: head.email }, 'Asia/Bishkek', null);
    expect(byPerson.rows).toHaveLength(auditPageSize);
    expect(byPerson.rows[0]!.objectId).toBe(`t-${auditPageSize + 4}`);
    const rest = await auditPage(file.db, admin, { ...none, person: head.email }, 'Asia/Bishkek', byPerson.next);
    expect(rest.rows.map((row) => row.objectId)).toEqual(['t-4', 't-3', 't-2', 't-1', 't-0']);
    expect(
      (await auditPage(file.db, admin, { ...none, action: 'import' }, 'Asia/Bishkek', null)).rows.map(
        (row) => row.objectId,
      ),
    ).toEqual(['run-1']);
    expect(
      (await auditPage(file.db, admin, { ...none, objectType: 'import', objectId: 'run-1' }, 'Asia/Bishkek', null))
        .rows,
    ).toHaveLength(1);
    expect((await auditPage(file.db, admin, { ...none, to: '2000-01-01' }, 'Asia/Bishkek', null)).rows).toHaveLength(0);
    expect(
      (await auditPage(file.db, admin, { ...none, action: 'import' }, 'Asia/Bishkek', 'not-a-cursor')).rows,
    ).toHaveLength(1);
    await expect(auditPage(file.db, head, none, 'Asia/Bishkek', null)).rejects.toMatchObject({ code: 'forbidden' });
    // An event about a person names them.
    await recordAudit(file.db, {
      actorId: admin.id,
      action: 'person.disable',
      objectType: 'app_user',
      objectId: head.id,
    });
    const [aboutHead] = (await auditPage(file.db, admin, { ...none, action: 'person.disable' }, 'Asia/Bishkek', null))
      .rows;
    expect(aboutHead!.objectName).toBe(head.fullName);
  });

  it('exports every matching row as CSV with formulas made inert', async () => {
    const admin = await principal(file.db, 'admin');
    let text = '';
    for await (const chunk of auditCsv(file.db, admin, { ...none, action: 'import.apply' }, 'Asia/Bishkek', [
      'at',
      'who',
      'email',
      'action',
      'type',
      'id',
      'ip',
      'details',
    ]))
      text += chunk;
    expect(text.startsWith('\uFEFF')).toBe(true);
    const lines = text.slice(1).trim().split('\r\n');
    expect(lines[0]).toBe('at,who,email,action,type,id,ip,details');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('"{""note"": ""=HYPERLINK(\\""http://evil\\"")""}"');
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(csvField('-2')).toBe("'-2");
    expect(csvField('a,b')).toBe('"a,b"');
  });
});
