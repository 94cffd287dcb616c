import { describe, expect, it } from 'vitest';
import { createPageCache } from './page-cache.ts';

describe('the department page cache', () => {
  it('gives a page back only for the term and version it was decoded from', () => {
    const cache = createPageCache<{ n: number }>(10);
    cache.set('d1', { termId: 't1', version: 'v1', page: { n: 1 } });
    expect(cache.get('d1', 't1', 'v1')).toEqual({ n: 1 });
    expect(cache.get('d1', 't1', 'v2')).toBeUndefined();
    expect(cache.get('d1', 't2', 'v1')).toBeUndefined();
    expect(cache.versionOf('d1')).toBe('v1');
    cache.set('d1', { termId: 't1', version: 'v2', page: { n: 2 } });
    expect(cache.get('d1', 't1', 'v1')).toBeUndefined();
    expect(cache.get('d1', 't1', 'v2')).toEqual({ n: 2 });
  });

  it('keeps at most its size, letting the least recently read go first', () => {
    const cache = createPageCache<{ n: number }>(2);
    cache.set('a', { termId: 't', version: 'v', page: { n: 1 } });
    cache.set('b', { termId: 't', version: 'v', page: { n: 2 } });
    expect(cache.get('a', 't', 'v')).toEqual({ n: 1 });
    cache.set('c', { termId: 't', version: 'v', page: { n: 3 } });
    expect(cache.versionOf('b')).toBeUndefined();
    expect(cache.get('a', 't', 'v')).toEqual({ n: 1 });
    expect(cache.get('c', 't', 'v')).toEqual({ n: 3 });
    cache.clear();
    expect(cache.versionOf('a')).toBeUndefined();
  });
});
