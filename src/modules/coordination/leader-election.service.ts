import { Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { LeaseRepository } from './lease.repository';

/** A lease held while a job runs. */
export interface HeldLease {
  /** Aborted when another replica has taken the lease (a renewal found it gone): stop at the next safe point. */
  readonly signal: AbortSignal;
  /** Extends the lease now (also done on a timer); false once it is lost. */
  renew(): Promise<boolean>;
}

/**
 * Runs scheduled work on one replica at a time: the replica that holds the named lease (in the database, so it works
 * with any number of replicas and no extra infrastructure). A lease outlives a crashed holder by at most its TTL;
 * while the work runs the holder renews it every third of the TTL, so a long job never overlaps with another
 * replica's run of the same job.
 */
@Injectable()
export class LeaderElection {
  private readonly logger = new Logger('LeaderElection');
  /** This process's identity in leases. */
  readonly replicaId = `${hostname().slice(0, 40)}-${process.pid}-${randomBytes(3).toString('hex')}`;

  constructor(private readonly leases: LeaseRepository) {}

  /** Runs `work` when this replica holds (or can take) the lease `name`, renewing it meanwhile; returns whether it ran. */
  async runIfLeader(name: string, ttlMs: number, work: (lease: HeldLease) => Promise<void>): Promise<boolean> {
    let leader: boolean;
    try {
      leader = await this.leases.tryAcquire(name, this.replicaId, ttlMs);
    } catch (err) {
      this.logger.warn(`lease ${name}: ${(err as Error).message}`);
      return false;
    }
    if (!leader) return false;
    const lost = new AbortController();
    const renew = async (): Promise<boolean> => {
      if (lost.signal.aborted) return false;
      try {
        if (await this.leases.tryAcquire(name, this.replicaId, ttlMs)) return true;
      } catch (err) {
        // The database may be back before the lease expires; the job's own database work will fail meanwhile.
        this.logger.warn(`renewing lease ${name}: ${(err as Error).message}`);
        return true;
      }
      if (!lost.signal.aborted) {
        this.logger.warn(`lease ${name} was taken by another replica; stopping this run`);
        lost.abort(new Error(`lease ${name} lost`));
      }
      return false;
    };
    const heartbeat = setInterval(() => void renew(), Math.max(10, Math.floor(ttlMs / 3)));
    heartbeat.unref();
    try {
      await work({ signal: lost.signal, renew });
    } finally {
      clearInterval(heartbeat);
    }
    return true;
  }

  release(name: string): Promise<void> {
    return this.leases.release(name, this.replicaId);
  }
}
