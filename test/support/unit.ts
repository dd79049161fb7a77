import type { CatalogItem } from '../../src/common/catalog/catalog.model';
import type { CatalogRepository } from '../../src/common/catalog/catalog.repository';
import { ConflictError } from '../../src/common/errors/domain-error';
import { UnitOfWork } from '../../src/database/unit-of-work';

/** Properties test tooling reads from any object (printing, promise checks); a strict mock answers them with `undefined`. */
const INSPECTED = new Set(['then', 'toJSON', 'asymmetricMatch', '$$typeof', 'nodeType', 'tagName', 'constructor', 'inspect']);

/**
 * A stand-in for one collaborator of a class under test. Only the given methods exist (each wrapped in `jest.fn`,
 * so calls can be asserted); using any other member throws, so an unexpected call fails the test.
 */
export function strictMock<T extends object>(name: string, methods: { [K in keyof T]?: T[K] } = {}): jest.Mocked<T> {
  const members: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(methods)) {
    members[key] = typeof value === 'function' ? jest.fn(value as (...args: unknown[]) => unknown) : value;
  }
  return new Proxy(members, {
    get(target, prop) {
      if (typeof prop === 'symbol' || INSPECTED.has(prop)) return target[prop as string];
      if (prop in target) return target[prop];
      throw new Error(`unexpected use of ${name}.${prop}`);
    },
  }) as unknown as jest.Mocked<T>;
}

/**
 * A unit of work with the real one's semantics and no database: nested transactions join the outer one,
 * after-commit callbacks run only once the outermost transaction succeeded, and are dropped when it fails.
 */
export class FakeUnitOfWork extends UnitOfWork {
  commits = 0;
  rollbacks = 0;
  private depth = 0;
  private pending: Array<() => void> = [];

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    if (this.depth > 0) return work();
    this.depth = 1;
    try {
      const result = await work();
      this.depth = 0;
      this.commits++;
      const callbacks = this.pending;
      this.pending = [];
      for (const fn of callbacks) fn();
      return result;
    } catch (err) {
      this.depth = 0;
      this.rollbacks++;
      this.pending = [];
      throw err;
    }
  }

  afterCommit(fn: () => void): void {
    if (this.depth > 0) this.pending.push(fn);
    else fn();
  }
}

/**
 * An in-memory catalog repository over `stored` (a strict mock: every method is a `jest.fn`, any other member throws).
 * Like the real one it hands out copies, raises `ConflictError` naming the natural key on a duplicate insert, and
 * updates only at the expected version (else `null`). `extra` adds the methods a spec needs beyond
 * findById/findByKey/insert/update/delete.
 */
export function fakeCatalogRepository<T extends CatalogItem, R extends CatalogRepository<T> = CatalogRepository<T>>(
  stored: Map<string, T>,
  natural: { label: string; key: keyof T & string },
  extra: { [K in keyof R]?: R[K] } = {},
): jest.Mocked<R> {
  const { label, key } = natural;
  const core: Partial<CatalogRepository<T>> = {
    findById: async (id: string) => (stored.has(id) ? { ...stored.get(id)! } : null),
    findByKey: async (value: string) => {
      const found = [...stored.values()].find((item) => item[key] === value);
      return found ? { ...found } : null;
    },
    insert: async (item: T) => {
      if ([...stored.values()].some((x) => x[key] === item[key])) {
        throw new ConflictError(`A ${label} with ${key} '${String(item[key])}' already exists`, { field: key });
      }
      stored.set(item.id, { ...item });
      return { ...item };
    },
    update: async (id: string, expectedVersion: number, patch: Partial<T>) => {
      const current = stored.get(id);
      if (!current || current.version !== expectedVersion) return null;
      const next = { ...current, ...patch, version: expectedVersion + 1 };
      stored.set(id, next);
      return { ...next };
    },
    delete: async (id: string) => stored.delete(id),
  };
  return strictMock<R>(`${label}Repository`, { ...core, ...extra } as { [K in keyof R]?: R[K] });
}
