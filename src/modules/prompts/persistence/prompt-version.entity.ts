import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { PromptArgument, PromptMessageTemplate, PromptVersion } from '../prompt.model';

/** One row per stored version of a local prompt's content (migration 1764400000000-PromptVersions). */
@Entity('prompt_versions')
export class PromptVersionEntity implements PromptVersion {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  promptId!: string;

  @PrimaryColumn({ type: 'integer' })
  version!: number;

  @Column({ type: 'text' })
  template!: string;

  @Column({ type: 'simple-json', nullable: true })
  messages!: PromptMessageTemplate[] | null;

  @Column({ type: 'simple-json' })
  arguments!: PromptArgument[];

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: Date })
  createdAt!: Date;

  @Column({ type: 'varchar', nullable: true })
  createdBy!: string | null;

  @Column({ type: 'integer', nullable: true })
  restoredFrom!: number | null;
}
