import $RefParser from '@apidevtools/json-schema-ref-parser';
import { Injectable } from '@nestjs/common';
import { parse as parseYaml } from 'yaml';
import { DomainError, ErrorCode, ValidationError } from '../../../common/errors/domain-error';
import { OutboundError, OutboundHttp } from '../../../common/http/outbound-http';
import { AppConfig } from '../../../config/app-config';
import type { CreateToolDto } from '../dto/create-tool.dto';
import { ToolPresenter, type ToolResponse } from '../tool.presenter';
import { ToolsService } from '../tools.service';
import { type ConversionResult, convertOpenApi, type ImportedTool, openApiVersion } from './openapi-converter';
import type { ImportOpenApiDto } from './openapi-import.dto';

export interface OpenApiImportResult {
  dryRun: boolean;
  /** OpenAPI family of the document: 2.0, 3.0 or 3.1. */
  openapi: string;
  /** The tools created (or, on a dry run, that would be created). */
  tools: Array<ToolResponse | ImportedTool>;
  skipped: Array<{ operation: string; reason: string }>;
  importBatchId?: string;
}

/** Parses a JSON or YAML text into a document (422 naming `field` when it is neither). */
export function parseSpecText(text: string, field: string): unknown {
  const trimmed = text.trimStart();
  try {
    return trimmed.startsWith('{') ? JSON.parse(trimmed) : parseYaml(text, { maxAliasCount: 1000 });
  } catch (err) {
    throw new ValidationError(field, `is neither JSON nor YAML: ${(err as Error).message.split('\n')[0]}`);
  }
}

/**
 * `POST /tools/import/openapi`: one REST tool per operation of an OpenAPI 3.0 / 3.1 or Swagger 2.0 document.
 * Local `$ref`s are dereferenced (external references are refused, never fetched); the tools are created all or
 * nothing.
 */
@Injectable()
export class OpenApiImportService {
  constructor(
    private readonly http: OutboundHttp,
    private readonly tools: ToolsService,
    private readonly presenter: ToolPresenter,
    private readonly config: AppConfig,
  ) {}

  async import(dto: ImportOpenApiDto): Promise<OpenApiImportResult> {
    if ((dto.url === undefined) === (dto.spec === undefined)) throw new ValidationError('spec', 'give exactly one of url or spec');
    if (dto.spec !== undefined) this.assertSpecSize(dto.spec);
    const raw = dto.url !== undefined ? await this.fetch(dto.url) : typeof dto.spec === 'string' ? parseSpecText(dto.spec, 'spec') : dto.spec;
    const field = dto.url !== undefined ? 'url' : 'spec';
    const version = openApiVersion(raw);
    if ('error' in version) throw new ValidationError(field, `is not an OpenAPI document: ${version.error}`);
    let doc: unknown;
    try {
      doc = await $RefParser.dereference(structuredClone(raw) as object, {
        resolve: { external: false },
        dereference: { circular: 'ignore' },
      });
    } catch (err) {
      throw new ValidationError(field, `has a $ref that cannot be resolved (only references inside the document are followed): ${(err as Error).message}`);
    }
    let converted;
    try {
      converted = convertOpenApi(doc, { baseUrl: dto.baseUrl, tags: dto.tags, namePrefix: dto.namePrefix, documentUrl: dto.url });
    } catch (err) {
      throw new ValidationError(dto.baseUrl ? field : 'baseUrl', (err as Error).message);
    }
    if (!converted.tools.length) throw this.nothingToImport(dto, field, converted);
    const creates: CreateToolDto[] = converted.tools.map(({ operation: _op, ...t }) => ({
      ...t,
      ...(dto.headers ? { headers: dto.headers } : {}),
      ...(dto.auth ? { auth: dto.auth } : {}),
      tags: dto.toolTags ?? [],
    }));
    await this.tools.assertNamesFree(creates.map((c) => c.name));
    if (dto.dryRun) {
      return { dryRun: true, openapi: version.version, tools: converted.tools, skipped: converted.skipped };
    }
    const { importBatchId, tools } = await this.tools.createMany(creates);
    return { dryRun: false, openapi: version.version, tools: tools.map((t) => this.presenter.present(t)), skipped: converted.skipped, importBatchId };
  }

  /**
   * The 422 of an import that yields no tool: it names `baseUrl` (or the document, when it gave the server URL) if
   * every operation's URL was too long, else the tag filter or the document; the message lists what was skipped.
   */
  private nothingToImport(dto: ImportOpenApiDto, field: 'url' | 'spec', converted: ConversionResult): ValidationError {
    const { skipped, urlTooLong } = converted;
    const blame = skipped.length && urlTooLong === skipped.length ? (dto.baseUrl !== undefined ? 'baseUrl' : field) : dto.tags?.length ? 'tags' : field;
    const shown = skipped.slice(0, 5).map((s) => `${s.operation}: ${s.reason}`);
    const more = skipped.length > shown.length ? `; and ${skipped.length - shown.length} more` : '';
    return new ValidationError(blame, `contains no operation that can become a tool${shown.length ? ` (skipped: ${shown.join('; ')}${more})` : ''}`);
  }

  /** An inline document is held to OPENAPI_MAX_SPEC_BYTES like a fetched one (413 naming `spec`): its text, or its JSON. */
  private assertSpecSize(spec: unknown): void {
    const limit = this.config.tools.openApiMaxBytes;
    const size = Buffer.byteLength(typeof spec === 'string' ? spec : (JSON.stringify(spec) ?? ''), 'utf8');
    if (size > limit) {
      throw new DomainError(ErrorCode.PayloadTooLarge, `spec: ${size} bytes exceeds the limit of ${limit} bytes (OPENAPI_MAX_SPEC_BYTES)`, { field: 'spec', size, limit });
    }
  }

  private async fetch(url: string): Promise<unknown> {
    await this.http.assertAllowed(url, 'url');
    let res;
    try {
      res = await this.http.request(url, {
        method: 'GET',
        headers: { accept: 'application/json, application/yaml, application/x-yaml, text/yaml, */*;q=0.5' },
        timeoutMs: this.config.tools.timeoutMs,
        maxBytes: this.config.tools.openApiMaxBytes,
      });
    } catch (err) {
      if (err instanceof OutboundError) throw new ValidationError('url', `cannot be fetched: ${err.message}`);
      throw err;
    }
    if (res.status < 200 || res.status >= 300) throw new ValidationError('url', `answered HTTP ${res.status}`);
    return parseSpecText(res.body.toString('utf8'), 'url');
  }
}
