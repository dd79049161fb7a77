import { bareMime, expandUrl, isTextMime, matchTemplate, mimeAllowed, renderTemplateText, templateVariables } from './resource-content';

describe('resource content helpers', () => {
  describe('mimeAllowed', () => {
    const patterns = ['text/*', 'application/json', 'application/*+json', 'image/png'];

    it('matches exact types, type wildcards and suffix wildcards, ignoring case and parameters', () => {
      expect(mimeAllowed('text/markdown', patterns)).toBe(true);
      expect(mimeAllowed('Text/HTML; charset=utf-8', patterns)).toBe(true);
      expect(mimeAllowed('application/json', patterns)).toBe(true);
      expect(mimeAllowed('application/vnd.api+json', patterns)).toBe(true);
      expect(mimeAllowed('image/png', patterns)).toBe(true);
    });

    it('refuses what no pattern covers; `*` allows everything', () => {
      expect(mimeAllowed('image/gif', patterns)).toBe(false);
      expect(mimeAllowed('application/x-msdownload', patterns)).toBe(false);
      expect(mimeAllowed('application/jsonx', patterns)).toBe(false);
      expect(mimeAllowed('texts/plain', patterns)).toBe(false);
      expect(mimeAllowed('application/x-msdownload', ['*'])).toBe(true);
      expect(mimeAllowed('anything/else', ['*/*'])).toBe(true);
    });
  });

  it('tells text from binary MIME types', () => {
    expect(bareMime(' Application/JSON ; charset=utf-8')).toBe('application/json');
    for (const m of ['text/plain', 'application/json', 'application/ld+json', 'application/xml', 'application/yaml', 'image/svg+xml']) expect(isTextMime(m)).toBe(true);
    for (const m of ['image/png', 'application/pdf', 'application/octet-stream']) expect(isTextMime(m)).toBe(false);
  });

  describe('templates', () => {
    it('lists variables and matches concrete URIs, percent-decoding values', () => {
      expect(templateVariables('users://{id}/posts{?page,size}')).toEqual(['id', 'page', 'size']);
      expect(matchTemplate('users://{id}/profile', 'users://42/profile')).toEqual({ id: '42' });
      expect(matchTemplate('file:///logs/{date}', 'file:///logs/2026-11-22')).toEqual({ date: '2026-11-22' });
      expect(matchTemplate('api://users/{name}', 'api://users/a%20b')).toEqual({ name: 'a b' });
      expect(matchTemplate('users://{id}/profile', 'users://42/other')).toBeNull();
      expect(matchTemplate('users://{id}/profile', 'users://42/profile/x')).toBeNull();
    });

    it('matches query expressions with any subset of their parameters, in any order, and nothing else', () => {
      const t = 'api://search{?q,limit}';
      expect(matchTemplate(t, 'api://search')).toEqual({});
      expect(matchTemplate(t, 'api://search?q=a%20b')).toEqual({ q: 'a b' });
      expect(matchTemplate(t, 'api://search?limit=2&q=x')).toEqual({ q: 'x', limit: '2' });
      expect(matchTemplate(t, 'api://search?other=1')).toBeNull();
      expect(matchTemplate(t, 'api://searchx')).toBeNull();
      expect(matchTemplate('api://users/{name}{?page}', 'api://users/ada')).toEqual({ name: 'ada' });
      expect(matchTemplate('api://users/{name}{?page}', 'api://users/ada?page=3')).toEqual({ name: 'ada', page: '3' });
      expect(matchTemplate('bad://{unclosed', 'bad://x')).toBeNull();
    });

    it('fills only template variables into text, leaving other braces alone', () => {
      expect(renderTemplateText('Profile {id}: {"json": {id}} {unknown}', { id: '42' })).toBe('Profile 42: {"json": 42} {unknown}');
      expect(renderTemplateText('{constructor}{__proto__}', {})).toBe('{constructor}{__proto__}');
    });

    it('expands a contentUrl percent-encoding values, so a value cannot change the path', () => {
      expect(expandUrl('http://h/users/{id}', { id: 'a b' })).toBe('http://h/users/a%20b');
      expect(expandUrl('http://h/users/{id}', { id: '../admin' })).toBe('http://h/users/..%2Fadmin');
      expect(expandUrl('http://h/search{?q}', { q: 'x&y' })).toBe('http://h/search?q=x%26y');
      expect(expandUrl('http://h/plain', { id: '1' })).toBe('http://h/plain');
    });
  });
});
