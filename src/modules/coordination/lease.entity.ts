import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A named, expiring lock held by one replica (see migrations: `leases`). */
@Entity('leases')
export class LeaseEntity {
  @PrimaryColumn({ type: 'varchar' })
  name!: string;

  @Column({ type: 'varchar' })
  holder!: string;

  @Column({ type: Date })
  expiresAt!: Date;
}
