/** Who a rate limit counts against: the authenticated subject, else the client's IP address. */
export function clientKey(subject: string | undefined, ip: string | undefined): string {
  return subject && subject !== 'anonymous' ? `sub:${subject}` : `ip:${ip ?? 'unknown'}`;
}
