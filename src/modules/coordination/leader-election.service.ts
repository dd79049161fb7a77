import { Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { LeaseRepository } from './lease.repository';

/**
 * Runs scheduled work on one replica at a time: the replica that holds the named lease (in the database, so it works
 * with any number of replicas and no extra infrastructure). A lease outlives a crashed holder by at most its TTL.
 */
@Injectable()
export class LeaderElection {
  private readonly logger = new Logger('LeaderElection');
  /** This process's identity in leases. */
  readonly replicaId = `${hostname().slice(0, 40)}-${process.pid}-${randomBytes(3).toString('hex')}`;

  constructor(private readonly leases: LeaseRepository) {}

  /** Runs `work` when this replica holds (or can take) the lease `name`; returns whether it ran. */
  async runIfLeader(name: string, ttlMs: number, work: () => Promise<void>): Promise<boolean> {
    let leader: boolean;
    try {
      leader = await this.leases.tryAcquire(name, this.replicaId, ttlMs);
    } catch (err) {
      this.logger.warn(`lease ${name}: ${(err as Error).message}`);
      return false;
    }
    if (!leader) return false;
    await work();
    return true;
  }

  release(name: string): Promise<void> {
    return this.leases.release(name, this.replicaId);
  }
}
