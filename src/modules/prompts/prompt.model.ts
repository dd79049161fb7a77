import type { CatalogItem } from '../../common/catalog/catalog.model';

export const PROMPT_NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
/** Argument names: what a Handlebars template can read as a plain variable (`{{topic}}`, `{{max-words}}`). */
export const ARGUMENT_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;
export const MAX_ARGUMENTS = 50;
export const MAX_MESSAGES = 100;

export interface PromptArgument {
  name: string;
  description?: string;
  required?: boolean;
}

export const PROMPT_ROLES = ['user', 'assistant'] as const;
export type PromptRole = (typeof PROMPT_ROLES)[number];

export const CONTENT_TYPES = ['text', 'image', 'audio', 'resource', 'resource_link'] as const;
export type ContentType = (typeof CONTENT_TYPES)[number];

/** The contents of an embedded resource (MCP `TextResourceContents` / `BlobResourceContents`). */
export interface ResourceContents {
  uri: string;
  mimeType?: string;
  text?: string;
  /** base64 */
  blob?: string;
}

/**
 * One part of a stored prompt message. `text` is a Handlebars template rendered with the arguments; the other
 * kinds pass through unchanged, except an embedded resource given without `text` or `blob`, whose content is
 * read from the catalog resource with that URI at render time.
 */
export type PromptContentTemplate =
  | { type: 'text'; text: string }
  | { type: 'image' | 'audio'; data: string; mimeType: string }
  | { type: 'resource'; resource: ResourceContents }
  | { type: 'resource_link'; uri: string; name: string; title?: string; description?: string; mimeType?: string };

/** A message of an explicit `messages` list. */
export interface PromptMessageTemplate {
  role: PromptRole;
  content: PromptContentTemplate;
}

export interface Prompt extends CatalogItem {
  name: string;
  /** The name the prompt has at its origin (upstream peer), or `name` for local prompts. */
  originalName: string;
  description: string | null;
  /** Handlebars template; `# User:` / `# Assistant:` lines start messages of that role. Empty when `messages` is used. */
  template: string;
  /** Explicit messages (multimodal), used instead of `template` when set. */
  messages: PromptMessageTemplate[] | null;
  arguments: PromptArgument[];
  gatewayId: string | null;
}

/** The fields that make up a prompt's content: each change of one of them is kept as a version. */
export const VERSIONED_FIELDS = ['template', 'messages', 'arguments', 'description'] as const;
export type PromptContentFields = Pick<Prompt, (typeof VERSIONED_FIELDS)[number]>;

/** Resource contents with the text or blob filled in (MCP `TextResourceContents | BlobResourceContents`). */
export type EmbeddedResourceContents = ResourceContents & ({ text: string } | { blob: string });

/** A rendered content block (MCP `ContentBlock`): embedded resources always carry their text or blob. */
export type PromptContent =
  | { type: 'text'; text: string }
  | { type: 'image' | 'audio'; data: string; mimeType: string }
  | { type: 'resource'; resource: EmbeddedResourceContents }
  | { type: 'resource_link'; uri: string; name: string; title?: string; description?: string; mimeType?: string };

export interface PromptMessage {
  role: PromptRole;
  content: PromptContent;
}

/** MCP `prompts/get` result shape, also returned by `GET|POST /prompts/{id}`. */
export interface RenderedPrompt {
  description?: string;
  messages: PromptMessage[];
}

/** A create or update answer: the prompt, plus remarks on its arguments when there are any. */
export type PromptWithWarnings = Prompt & { warnings?: string[] };

/** An immutable snapshot of a local prompt's content, stored at every create and content change. */
export interface PromptVersion extends PromptContentFields {
  promptId: string;
  /** The prompt's `version` once this content was written. */
  version: number;
  createdAt: Date;
  createdBy: string | null;
  /** Set when this version was made by a rollback: the version whose content it restored. */
  restoredFrom: number | null;
}
