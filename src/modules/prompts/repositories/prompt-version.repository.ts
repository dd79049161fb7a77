import type { Page } from '../../../common/catalog/catalog.model';
import type { PromptVersion } from '../prompt.model';

/** DI token and storage contract of prompt versions: append-only, per prompt, numbered by the prompt's version. */
export abstract class PromptVersionRepository {
  /** Appends a version; a duplicate (prompt, version) raises `ConflictError`. */
  abstract insert(version: PromptVersion): Promise<void>;
  abstract find(promptId: string, version: number): Promise<PromptVersion | null>;
  /** Newest first; the cursor is the version number of the last item of the previous page. */
  abstract list(promptId: string, limit: number, cursor?: string): Promise<Page<PromptVersion>>;
  /** Removes every version of a prompt (when it is deleted); returns how many went. */
  abstract deleteByPrompt(promptId: string): Promise<number>;
}
