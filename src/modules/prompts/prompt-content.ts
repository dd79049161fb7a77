import { DomainError, ErrorCode, ValidationError } from '../../common/errors/domain-error';
import { base64Size } from '../resources/resources.service';
import type { PromptContentTemplate, PromptMessageTemplate, ResourceContents } from './prompt.model';

/** A piece of a prompt that is a Handlebars template, and the field that names it in errors. */
export interface TemplatePart {
  field: string;
  text: string;
}

/** The templates of a prompt: its `template`, or the text parts of its `messages`. */
export function templateParts(template: string, messages: PromptMessageTemplate[] | null): TemplatePart[] {
  if (!messages) return [{ field: 'template', text: template }];
  return messages.flatMap((m, i) => (m.content.type === 'text' ? [{ field: `messages.${i}.content.text`, text: m.content.text }] : []));
}

/** Checks the size of the templates together against MAX_PROMPT_SIZE (413 naming the field). */
export function assertTemplateSize(template: string, messages: PromptMessageTemplate[] | null, limit: number): void {
  const size = templateParts(template, messages).reduce((n, p) => n + Buffer.byteLength(p.text, 'utf8'), 0);
  if (size > limit) {
    const field = messages ? 'messages' : 'template';
    throw new DomainError(ErrorCode.PayloadTooLarge, `${field}: ${size} bytes of template text exceed the limit of ${limit} bytes (MAX_PROMPT_SIZE)`, { field, size, limit });
  }
}

/** An embedded resource given by URI only: its content is read from the catalog at render time. */
export function isCatalogReference(content: PromptContentTemplate): content is { type: 'resource'; resource: ResourceContents } {
  return content.type === 'resource' && content.resource.text === undefined && content.resource.blob === undefined;
}

/**
 * Copies a validated `messages` list into plain objects with a fixed key order (so that equal content compares
 * equal), checking what the DTO cannot: an embedded resource has text or blob, not both, and binary data stays
 * within MAX_RESOURCE_SIZE (413).
 */
export function normalizeMessages(messages: PromptMessageTemplate[], maxBinaryBytes: number): PromptMessageTemplate[] {
  const binary = (field: string, b64: string): string => {
    const size = base64Size(b64);
    if (size > maxBinaryBytes) {
      throw new DomainError(ErrorCode.PayloadTooLarge, `${field}: ${size} bytes exceeds the limit of ${maxBinaryBytes} bytes (MAX_RESOURCE_SIZE)`, {
        field,
        size,
        limit: maxBinaryBytes,
      });
    }
    return b64;
  };
  return messages.map((m, i): PromptMessageTemplate => {
    const c = m.content;
    const at = `messages.${i}.content`;
    switch (c.type) {
      case 'text':
        return { role: m.role, content: { type: 'text', text: c.text } };
      case 'image':
      case 'audio':
        return { role: m.role, content: { type: c.type, data: binary(`${at}.data`, c.data), mimeType: c.mimeType } };
      case 'resource': {
        const r = c.resource;
        if (r.text !== undefined && r.blob !== undefined) throw new ValidationError(`${at}.resource`, 'give either `text` or `blob`, not both');
        return {
          role: m.role,
          content: {
            type: 'resource',
            resource: {
              uri: r.uri,
              ...(r.mimeType !== undefined ? { mimeType: r.mimeType } : {}),
              ...(r.text !== undefined ? { text: r.text } : {}),
              ...(r.blob !== undefined ? { blob: binary(`${at}.resource.blob`, r.blob) } : {}),
            },
          },
        };
      }
      case 'resource_link':
        return {
          role: m.role,
          content: {
            type: 'resource_link',
            uri: c.uri,
            name: c.name,
            ...(c.title !== undefined ? { title: c.title } : {}),
            ...(c.description !== undefined ? { description: c.description } : {}),
            ...(c.mimeType !== undefined ? { mimeType: c.mimeType } : {}),
          },
        };
      default:
        throw new ValidationError(`${at}.type`, 'must be one of text, image, audio, resource, resource_link');
    }
  });
}
