import { MASK } from '../../../common/credentials';
import { parseForm } from '../web/forms';
import { authErrors, authFieldSpecs, authFromForm } from './auth-fields';

describe('admin auth fields', () => {
  const specs = authFieldSpecs(['bearer', 'basic', 'authheaders']);

  it('offers "None" and the given types, each with its own inputs shown only while selected', () => {
    expect(specs[0].options!.map((o) => o.value)).toEqual(['', 'bearer', 'basic', 'authheaders']);
    expect(specs.find((s) => s.name === 'password')).toMatchObject({ kind: 'password', showIf: { field: 'authType', values: ['basic'] } });
    // Inputs of a type that is not selected are not read.
    expect(parseForm(specs, { authType: 'bearer', token: 't', username: 'u' }).data).toEqual({ authType: 'bearer', token: 't' });
  });

  it('builds the credentials of the selected type; an empty secret keeps the stored one; None removes them', () => {
    expect(authFromForm({ name: 'x', authType: 'basic', username: 'u', password: 'p' }, null)).toEqual({ name: 'x', auth: { authType: 'basic', username: 'u', password: 'p' } });
    expect(authFromForm({ authType: 'basic', username: 'u' }, { authType: 'basic' })).toEqual({ auth: { authType: 'basic', username: 'u', password: MASK } });
    // A new type needs its secret: no mask is sent, so validation asks for it.
    expect(authFromForm({ authType: 'bearer' }, { authType: 'basic' })).toEqual({ auth: { authType: 'bearer' } });
    expect(authFromForm({ name: 'x' }, { authType: 'bearer' })).toEqual({ name: 'x', auth: null });
    expect(authFromForm({ name: 'x' }, null)).toEqual({ name: 'x' });
    expect(authFromForm({ name: 'x', authType: 'bearer', token: 't' }, null, false)).toEqual({ name: 'x' });
  });

  it('puts errors on auth.<input> next to that input, and other auth errors on the type', () => {
    expect(authErrors({ auth: 'x', 'auth.token': 'must be a string', name: 'bad' })).toEqual({ token: 'must be a string', name: 'bad' });
    expect(authErrors({ auth: 'is only for REST tools' })).toEqual({ authType: 'is only for REST tools' });
  });
});
