// Department pages decoded in this web process, by department, each with the version it came from
// (`department_current.as_of`). A page changes only when the refresher rewrites it, so a process
// decodes each version once; every request still asks the database which version is current.
import { LRUCache } from 'lru-cache';

export type CachedPage<P> = { termId: string; version: string; page: P };

export type PageCache<P> = {
  /** The page kept for this department, term and version; none if it is another or was let go. */
  get(departmentId: string, termId: string, version: string): P | undefined;
  /** The version the caller may already have (asked of the database so that it sends the page only when it differs). */
  versionOf(departmentId: string): string | undefined;
  set(departmentId: string, entry: CachedPage<P>): void;
  clear(): void;
};

/** At most `max` pages, the least recently read let go first. */
export function createPageCache<P extends object>(max: number): PageCache<P> {
  const pages = new LRUCache<string, CachedPage<P>>({ max });
  return {
    get(departmentId, termId, version) {
      const entry = pages.get(departmentId);
      return entry && entry.termId === termId && entry.version === version ? entry.page : undefined;
    },
    versionOf: (departmentId) => pages.peek(departmentId)?.version,
    set: (departmentId, entry) => void pages.set(departmentId, entry),
    clear: () => pages.clear(),
  };
}
