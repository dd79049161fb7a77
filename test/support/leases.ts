import { LeaseRepository } from '../../src/modules/coordination/lease.repository';

/** Leases in memory, with the repository's semantics: free, expired or already ours → taken (or renewed). */
export class MemoryLeases extends LeaseRepository {
  readonly leases = new Map<string, { holder: string; expiresAt: number }>();
  acquisitions = 0;

  async tryAcquire(name: string, holder: string, ttlMs: number): Promise<boolean> {
    this.acquisitions++;
    const current = this.leases.get(name);
    if (current && current.holder !== holder && current.expiresAt > Date.now()) return false;
    this.leases.set(name, { holder, expiresAt: Date.now() + ttlMs });
    return true;
  }

  async release(name: string, holder: string): Promise<void> {
    if (this.leases.get(name)?.holder === holder) this.leases.delete(name);
  }
}
