import { loadConfig } from '../../config/app-config';
import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  const box = (secret: string, previous = '') => new SecretBox(loadConfig({ AUTH_ENCRYPTION_SECRET: secret, AUTH_ENCRYPTION_SECRET_PREVIOUS: previous }));

  it('round-trips values, with a fresh IV each time, and leaves no plaintext in the envelope', () => {
    const b = box('first-secret-1234');
    const a1 = b.encryptJson({ password: 'hunter2' });
    const a2 = b.encryptJson({ password: 'hunter2' });
    expect(a1).not.toEqual(a2);
    expect(a1).toMatch(/^enc:v1:[0-9a-f]{8}:/);
    expect(a1).not.toContain('hunter2');
    expect(b.decryptJson(a1)).toEqual({ password: 'hunter2' });
  });

  it('detects tampering', () => {
    const b = box('first-secret-1234');
    const env = b.encrypt('data');
    const raw = Buffer.from(env.split(':')[3], 'base64');
    raw[raw.length - 1] ^= 1;
    expect(() => b.decrypt(`${env.split(':').slice(0, 3).join(':')}:${raw.toString('base64')}`)).toThrow(/failed authentication/);
  });

  it('reads values written under a previous secret during rotation, and flags them for re-encryption', () => {
    const old = box('old-secret-123456').encrypt('v');
    const rotated = box('new-secret-123456', 'old-secret-123456');
    expect(rotated.decrypt(old)).toBe('v');
    expect(rotated.needsReencryption(old)).toBe(true);
    expect(rotated.needsReencryption(rotated.encrypt('v'))).toBe(false);
    expect(() => box('new-secret-123456').decrypt(old)).toThrow(/no key/);
  });
});
