// A problem that stops a whole import file (not one row): a dictionary key under `import.problems` with its parameters.
export class ImportProblem extends Error {
  readonly key: string;
  readonly params: Record<string, string | number>;

  constructor(key: string, params: Record<string, string | number> = {}) {
    super(`import: ${key}`);
    this.name = 'ImportProblem';
    this.key = key;
    this.params = params;
  }
}
