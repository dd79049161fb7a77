import { CatalogRepository } from '../../../common/catalog/catalog.repository';
import type { Prompt } from '../prompt.model';

/** DI token and storage contract of prompts. */
export abstract class PromptRepository extends CatalogRepository<Prompt> {}
