/** Who made a request, once authenticated. */
export interface Principal {
  subject: string;
  method: 'jwt' | 'basic' | 'anonymous';
  /** Token id of a JWT (revocable). */
  jti?: string;
  expiresAt?: Date;
}
