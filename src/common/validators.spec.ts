import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { describeValidationErrors } from './validation';
import { credentialHeader, IsHeaderMap } from './validators';

class WithHeaders {
  @IsHeaderMap()
  headers!: unknown;
}

const problems = (headers: unknown) => describeValidationErrors(validateSync(plainToInstance(WithHeaders, { headers })));

describe('IsHeaderMap', () => {
  it('accepts ordinary static headers', () => {
    expect(problems({ Accept: 'application/json', 'X-Tenant': 'acme', 'User-Agent': 'gw', 'X-Request-Source': 'mcp', 'Content-Language': 'en' })).toEqual([]);
  });

  it.each(['Authorization', 'authorization', 'Proxy-Authorization', 'Cookie', 'X-API-Key', 'Api-Key', 'x-apikey', 'X-Auth-Token', 'X-Access-Token', 'Private-Token', 'X-Amz-Security-Token', 'X-Client-Secret', 'X-Password', 'X-Goog-Api-Key', 'X-Credentials'])(
    'refuses the credential-bearing header %s, pointing to auth',
    (name) => {
      expect(credentialHeader({ Accept: '*/*', [name]: 'value' })).toBe(name);
      expect(problems({ Accept: '*/*', [name]: 'value' })).toEqual([
        `headers: must not carry credentials ('${name}'): put them in auth (authType bearer, basic or authheaders), which is stored encrypted and masked in responses`,
      ]);
    },
  );

  it('still refuses malformed maps with the general message', () => {
    for (const bad of [['a'], 'x', { 'bad name': 'v' }, { ok: 'line\nbreak' }, { n: 1 }]) {
      expect(problems(bad)).toEqual(['headers: must map header names to single-line string values']);
    }
  });
});
