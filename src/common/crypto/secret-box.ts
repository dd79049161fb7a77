import { Injectable } from '@nestjs/common';
import { createCipheriv, createDecipheriv, createHash, randomBytes, scryptSync } from 'node:crypto';
import { AppConfig } from '../../config/app-config';

const PREFIX = 'enc:v1:';
const SALT = 'mcp-gateway/auth-encryption/v1';

interface Key {
  id: string;
  key: Buffer;
}

function deriveKey(secret: string): Key {
  const key = scryptSync(secret, SALT, 32, { N: 1 << 14, r: 8, p: 1 });
  return { id: createHash('sha256').update(key).digest('hex').slice(0, 8), key };
}

export class SecretDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretDecryptionError';
  }
}

/**
 * Encrypts secrets at rest with AES-256-GCM under a key derived (scrypt) from AUTH_ENCRYPTION_SECRET.
 * Envelope: `enc:v1:<keyId>:<base64(iv | tag | ciphertext)>`. The key id lets values written under a previous
 * secret (AUTH_ENCRYPTION_SECRET_PREVIOUS) still be read during a key rotation; `needsReencryption` tells
 * which ones the rotation command must rewrite.
 */
@Injectable()
export class SecretBox {
  private readonly current: Key;
  private readonly keys = new Map<string, Key>();

  constructor(config: AppConfig) {
    this.current = deriveKey(config.secrets.encryptionSecret);
    for (const k of [this.current, ...config.secrets.previousSecrets.map(deriveKey)]) this.keys.set(k.id, k);
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${PREFIX}${this.current.id}:${Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64')}`;
  }

  decrypt(envelope: string): string {
    if (!envelope.startsWith(PREFIX)) throw new SecretDecryptionError('value is not an encrypted envelope');
    const [keyId, payload] = envelope.slice(PREFIX.length).split(':', 2);
    const key = this.keys.get(keyId);
    if (!key || !payload) throw new SecretDecryptionError(`no key ${keyId} configured (was AUTH_ENCRYPTION_SECRET changed without AUTH_ENCRYPTION_SECRET_PREVIOUS?)`);
    const raw = Buffer.from(payload, 'base64');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretDecryptionError('ciphertext failed authentication');
    }
  }

  encryptJson(value: unknown): string {
    return this.encrypt(JSON.stringify(value));
  }

  decryptJson<T>(envelope: string): T {
    return JSON.parse(this.decrypt(envelope)) as T;
  }

  /** True for values encrypted under a key other than the current one. */
  needsReencryption(envelope: string): boolean {
    return !envelope.startsWith(`${PREFIX}${this.current.id}:`);
  }
}
