import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync } from 'class-validator';
import { CreateTokenDto } from '../modules/auth/dto/create-token.dto';
import { CreateGatewayDto } from '../modules/federation/dto/create-gateway.dto';
import { UpdateGatewayDto } from '../modules/federation/dto/update-gateway.dto';
import { CreatePromptDto } from '../modules/prompts/dto/create-prompt.dto';
import { RollbackPromptDto } from '../modules/prompts/dto/rollback-prompt.dto';
import { UpdatePromptDto } from '../modules/prompts/dto/update-prompt.dto';
import { CreateResourceDto } from '../modules/resources/dto/create-resource.dto';
import { UpdateResourceDto } from '../modules/resources/dto/update-resource.dto';
import { CreateServerDto } from '../modules/servers/dto/create-server.dto';
import { UpdateServerDto } from '../modules/servers/dto/update-server.dto';
import { CreateToolDto } from '../modules/tools/dto/create-tool.dto';
import { UpdateToolDto } from '../modules/tools/dto/update-tool.dto';
import { ImportOpenApiDto } from '../modules/tools/openapi/openapi-import.dto';
import { describeValidationErrors } from './validation';

/**
 * The fields of each request body that take `null` (to clear a stored value: the column is nullable and the service
 * stores NULL, or for a documented meaning such as `arguments: null`). Every other field must reject `null` with an
 * error naming it. A new field must be added to one side or the other: the test lists every field of every body.
 */
const NULLABLE = {
  tool: ['displayName', 'description', 'url', 'headers', 'auth', 'outputSchema', 'annotations', 'argumentMapping', 'timeoutMs', 'maxRetries', 'maxResponseBytes', 'jsonpathFilter', 'command', 'args', 'workingDirectory'],
  resource: ['description', 'mimeType', 'uriTemplate', 'contentUrl', 'cacheTtl'],
  prompt: ['description', 'arguments'],
  server: ['description', 'icon'],
  gateway: ['description', 'auth', 'alternateOf', 'caCertificate'],
};

const BODIES: Array<[string, new () => object, string[]]> = [
  ['CreateToolDto', CreateToolDto, NULLABLE.tool],
  ['UpdateToolDto', UpdateToolDto, NULLABLE.tool],
  ['CreateResourceDto', CreateResourceDto, NULLABLE.resource],
  ['UpdateResourceDto', UpdateResourceDto, NULLABLE.resource],
  ['CreatePromptDto', CreatePromptDto, NULLABLE.prompt],
  ['UpdatePromptDto', UpdatePromptDto, NULLABLE.prompt],
  ['RollbackPromptDto', RollbackPromptDto, []],
  ['CreateServerDto', CreateServerDto, NULLABLE.server],
  ['UpdateServerDto', UpdateServerDto, NULLABLE.server],
  ['CreateGatewayDto', CreateGatewayDto, NULLABLE.gateway],
  ['UpdateGatewayDto', UpdateGatewayDto, NULLABLE.gateway],
  ['CreateTokenDto', CreateTokenDto, ['name']],
  // `spec: null` passes the DTO; the import service answers it with a 422 naming `spec` (not an OpenAPI document).
  ['ImportOpenApiDto', ImportOpenApiDto, ['auth', 'headers', 'spec']],
];

function fields(dto: new () => object): string[] {
  return [...new Set(getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false).map((m) => m.propertyName))].sort();
}

/** The problems `null` in `field` causes, as the API reports them (`field: message`). */
function nullProblems(dto: new () => object, field: string): string[] {
  return describeValidationErrors(validateSync(plainToInstance(dto, { [field]: null }), { whitelist: true, forbidNonWhitelisted: true })).filter(
    (p) => p.startsWith(`${field}:`) || p.startsWith(`${field}.`),
  );
}

describe('null in request bodies', () => {
  it.each(BODIES)('%s: null clears exactly the nullable fields and is refused, naming the field, for every other', (_name, dto, nullable) => {
    const all = fields(dto);
    expect(all.length).toBeGreaterThan(1);
    for (const f of nullable) expect(all).toContain(f);
    const outcome = Object.fromEntries(all.map((f) => [f, nullProblems(dto, f).length ? 'refused' : 'accepted']));
    expect(outcome).toEqual(Object.fromEntries(all.map((f) => [f, nullable.includes(f) ? 'accepted' : 'refused'])));
  });

  it('says what is wrong with a null tag list or enabled flag', () => {
    expect(nullProblems(UpdateToolDto, 'tags')).toEqual(['tags: must be a list of tags (an array, or a comma-separated string)']);
    expect(nullProblems(UpdateToolDto, 'enabled')).toEqual(['enabled: must be a boolean value']);
    expect(nullProblems(UpdateToolDto, 'version')).toEqual(['version: must not be less than 1', 'version: must be an integer number']);
  });

  it('refuses null inside nested objects that are served to MCP clients as they are', () => {
    const problems = (dto: new () => object, body: object) => describeValidationErrors(validateSync(plainToInstance(dto, body)));
    expect(problems(UpdateToolDto, { annotations: { readOnlyHint: null, title: null } })).toEqual(
      expect.arrayContaining([expect.stringMatching(/^annotations\.readOnlyHint: /), expect.stringMatching(/^annotations\.title: /)]),
    );
    expect(problems(UpdatePromptDto, { arguments: [{ name: 'a', description: null, required: null }] })).toEqual(
      expect.arrayContaining([expect.stringMatching(/^arguments\.0\.description: /), expect.stringMatching(/^arguments\.0\.required: /)]),
    );
    const messages = [
      { role: 'user', content: { type: 'resource', resource: { uri: 'file:///a', text: null, mimeType: null } } },
      { role: 'user', content: { type: 'resource_link', uri: 'file:///b', name: 'b', title: null } },
    ];
    expect(problems(UpdatePromptDto, { messages })).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^messages\.0\.content\.resource\.text: /),
        expect.stringMatching(/^messages\.0\.content\.resource\.mimeType: /),
        expect.stringMatching(/^messages\.1\.content\.title: /),
      ]),
    );
    // Left out, they are fine.
    expect(problems(UpdateToolDto, { annotations: { readOnlyHint: true } })).toEqual([]);
    expect(problems(UpdatePromptDto, { arguments: [{ name: 'a' }] })).toEqual([]);
  });

  it('still rejects a wrong tag list with one clear message', () => {
    const tags = (value: unknown) => describeValidationErrors(validateSync(plainToInstance(CreateToolDto, { name: 't', tags: value }))).filter((p) => p.startsWith('tags'));
    expect(tags(['ok', 'Also OK'])).toEqual([]);
    expect(tags('a, b')).toEqual([]);
    expect(tags(5)).toEqual(['tags: must be a list of tags (an array, or a comma-separated string)']);
    expect(tags(Array.from({ length: 51 }, (_, i) => `t${i}`))).toEqual(['tags: must contain at most 50 tags']);
    expect(tags(['ok', 'x'.repeat(65)])).toEqual(['tags: each tag must be a lower-case label of letters, digits and _ . : / -']);
    expect(tags([{ colour: 'red' }])).toEqual(['tags: each tag must be a lower-case label of letters, digits and _ . : / -']);
  });
});
