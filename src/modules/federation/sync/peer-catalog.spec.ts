import { federatedName, keepStorable, STORED_LENGTH } from './peer-catalog';

describe('federatedName', () => {
  const peer = { slug: 'time-server', namespaced: true };

  it('prefixes slug(tool) with the peer slug and the configured separator', () => {
    expect(federatedName(peer, 'get_current_time', '-')).toBe('time-server-get-current-time');
    expect(federatedName(peer, 'get_current_time', '__')).toBe('time-server__get-current-time');
    expect(federatedName(peer, 'Get Current.Time', '.')).toBe('time-server.get-current-time');
  });

  it('keeps a name with nothing to slug as it is, and passes names verbatim for a peer without prefix', () => {
    expect(federatedName(peer, '工具', '::')).toBe('time-server::工具');
    expect(federatedName({ slug: 'time-server', namespaced: false }, 'get_current_time', '__')).toBe('get_current_time');
  });
});

describe('keepStorable', () => {
  const describe_ = (t: { name: string; title?: string }) => ({ key: t.name, checks: [['name', t.name, STORED_LENGTH.name], ['title', t.title, STORED_LENGTH.title]] as Array<[string, string | undefined, number]> });

  it('keeps items that fit and reports the others with the field, its length and the limit', () => {
    const long = 'x'.repeat(300);
    const { kept, skipped } = keepStorable('Peer A', 'tool', [{ name: 'ok' }, { name: long }, { name: 'titled', title: 't'.repeat(256) }], describe_);
    expect(kept).toEqual([{ name: 'ok' }]);
    expect(skipped).toEqual([
      `Peer 'Peer A' exposes tool '${'x'.repeat(60)}…' that cannot be stored: its name has 300 characters (at most 255)`,
      "Peer 'Peer A' exposes tool 'titled' that cannot be stored: its title has 256 characters (at most 255)",
    ]);
  });

  it('accepts values at the limit and missing optional values', () => {
    const items = [{ name: 'n'.repeat(255), title: 't'.repeat(255) }, { name: 'plain' }];
    expect(keepStorable('p', 'tool', items, describe_)).toEqual({ kept: items, skipped: [] });
  });
});
