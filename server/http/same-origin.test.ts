import { describe, expect, it } from 'vitest';
import { isCrossOriginMutation } from './same-origin.ts';

const headers = (values: Record<string, string>) => ({ get: (name: string) => values[name] ?? null });
const own = ['https://kabinet.example'];

describe('isCrossOriginMutation', () => {
  it.each([
    ['GET from anywhere', 'GET', { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }, false],
    ['POST marked same-origin', 'POST', { 'sec-fetch-site': 'same-origin' }, false],
    ['POST typed into the address bar', 'POST', { 'sec-fetch-site': 'none' }, false],
    ['POST marked cross-site', 'POST', { 'sec-fetch-site': 'cross-site' }, true],
    ['POST from a sibling subdomain', 'PATCH', { 'sec-fetch-site': 'same-site' }, true],
    ['POST with our Origin (older browser)', 'POST', { origin: 'https://kabinet.example' }, false],
    ['POST with another Origin (older browser)', 'DELETE', { origin: 'https://evil.example' }, true],
    ['POST with an opaque Origin', 'POST', { origin: 'null' }, true],
    ['POST from a non-browser client', 'POST', {}, false],
  ])('%s → %s', (_label, method, values, refused) => {
    expect(isCrossOriginMutation(method, headers(values), own)).toBe(refused);
  });
});
