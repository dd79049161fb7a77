import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LeaderElection } from './leader-election.service';
import { LeaseEntity } from './lease.entity';
import { LeaseRepository, TypeOrmLeaseRepository } from './lease.repository';
import { ReplicaIdentity } from './replica-identity.service';

/** Cross-replica coordination: leases for single-leader scheduled jobs, and this replica's address. */
@Module({
  imports: [TypeOrmModule.forFeature([LeaseEntity])],
  providers: [LeaderElection, ReplicaIdentity, { provide: LeaseRepository, useClass: TypeOrmLeaseRepository }],
  exports: [LeaderElection, ReplicaIdentity],
})
export class CoordinationModule {}
