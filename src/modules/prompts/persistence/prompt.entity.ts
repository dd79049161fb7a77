import { Column, Entity } from 'typeorm';
import { CatalogEntityBase } from '../../../database/catalog-entity.base';
import type { Prompt, PromptArgument, PromptMessageTemplate } from '../prompt.model';

@Entity('prompts')
export class PromptEntity extends CatalogEntityBase implements Prompt {
  @Column({ type: 'varchar' })
  name!: string;

  @Column({ type: 'varchar' })
  originalName!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'text' })
  template!: string;

  @Column({ type: 'simple-json', nullable: true })
  messages!: PromptMessageTemplate[] | null;

  @Column({ type: 'simple-json' })
  arguments!: PromptArgument[];

  @Column({ type: 'varchar', nullable: true })
  gatewayId!: string | null;
}
