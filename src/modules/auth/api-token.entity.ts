import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A token minted through the API, or any token (by jti) someone revoked. */
@Entity('api_tokens')
export class ApiTokenEntity {
  @PrimaryColumn({ type: 'varchar' })
  jti!: string;

  @Column({ type: 'varchar' })
  subject!: string;

  @Column({ type: 'varchar', nullable: true })
  name!: string | null;

  @Column({ type: Date })
  createdAt!: Date;

  @Column({ type: 'varchar', nullable: true })
  createdBy!: string | null;

  @Column({ type: Date, nullable: true })
  expiresAt!: Date | null;

  @Column({ type: Date, nullable: true })
  revokedAt!: Date | null;

  @Column({ type: 'varchar', nullable: true })
  revokedBy!: string | null;
}
