import { credentialHeaders, credentialQuery, maskCredentials, mergeCredentials, SECRET_CREDENTIAL_FIELDS } from './credentials';

describe('credentials', () => {
  it('masks secrets but keeps names', () => {
    expect(maskCredentials({ authType: 'authheaders', authHeaderKey: 'X-Key', authHeaderValue: 's' })).toEqual({ authType: 'authheaders', authHeaderKey: 'X-Key', authHeaderValue: '*****' });
    expect(maskCredentials(null)).toBeNull();
  });

  it('masks every secret field, shows no field of another type and no unset one', () => {
    for (const [authType, fields] of [
      ['basic', { username: 'u', password: 'p' }],
      ['bearer', { token: 't' }],
      ['authheaders', { authHeaderKey: 'X-Key', authHeaderValue: 'v' }],
      ['query_param', { queryParamName: 'key', queryParamValue: 'q' }],
    ] as const) {
      const masked = maskCredentials({ authType, ...fields, password: 'stray' })!;
      for (const field of SECRET_CREDENTIAL_FIELDS) if (field in masked) expect([authType, field, masked[field]]).toEqual([authType, field, '*****']);
      expect(Object.keys(masked).sort()).toEqual(['authType', ...Object.keys(fields)].sort());
    }
    expect(maskCredentials({ authType: 'basic', password: 'p' })).toEqual({ authType: 'basic', password: '*****' });
    expect(Object.keys(maskCredentials({ authType: 'basic', password: 'p' })!)).toEqual(['authType', 'password']);
  });

  it('keeps stored secrets when the mask comes back, and refuses the mask as a new secret', () => {
    const stored = { authType: 'bearer' as const, token: 'real' };
    expect(mergeCredentials(stored, { authType: 'bearer', token: '*****' })).toEqual(stored);
    expect(() => mergeCredentials(null, { authType: 'bearer', token: '*****' })).toThrow(/auth.token/);
    expect(() => mergeCredentials(stored, { authType: 'basic', username: 'u', password: '*****' })).toThrow(/auth.password/);
  });

  it('drops fields that do not belong to the type', () => {
    expect(mergeCredentials(null, { authType: 'bearer', token: 't', password: 'p' })).toEqual({ authType: 'bearer', token: 't' });
  });

  it('renders headers for each type', () => {
    expect(credentialHeaders({ authType: 'basic', username: 'u', password: 'p' })).toEqual({ Authorization: `Basic ${Buffer.from('u:p').toString('base64')}` });
    expect(credentialHeaders({ authType: 'bearer', token: 't' })).toEqual({ Authorization: 'Bearer t' });
    expect(credentialHeaders({ authType: 'authheaders', authHeaderKey: 'X-Api-Key', authHeaderValue: 'k' })).toEqual({ 'X-Api-Key': 'k' });
  });

  it('handles API keys sent as a query parameter (masked, merged, rendered as query, not headers)', () => {
    const stored = { authType: 'query_param' as const, queryParamName: 'api_key', queryParamValue: 'secret' };
    expect(maskCredentials(stored)).toEqual({ authType: 'query_param', queryParamName: 'api_key', queryParamValue: '*****' });
    expect(mergeCredentials(stored, { authType: 'query_param', queryParamName: 'key', queryParamValue: '*****' })).toEqual({ ...stored, queryParamName: 'key' });
    expect(() => mergeCredentials(null, { authType: 'query_param', queryParamName: 'k', queryParamValue: '*****' })).toThrow(/auth.queryParamValue/);
    expect(credentialQuery(stored)).toEqual({ api_key: 'secret' });
    expect(credentialHeaders(stored)).toEqual({});
    expect(credentialQuery({ authType: 'bearer', token: 't' })).toEqual({});
  });
});
