import { describe, expect, it } from 'vitest';
import { isLoopbackHost } from '../../src/loopback.js';

describe('isLoopbackHost: the one rule for config endpoints, the HTTP bind and the approval page', () => {
  it.each(['localhost', 'LOCALHOST', '127.0.0.1', '127.8.9.10', '::1', '[::1]'])('%s is loopback', (h) => {
    expect(isLoopbackHost(h)).toBe(true);
  });
  it.each(['', '0.0.0.0', '::', '10.0.0.1', '127.999.0.1', '127.0.0.1.nip.io', 'localhost.example.com', '128.0.0.1'])('%s is not', (h) => {
    expect(isLoopbackHost(h)).toBe(false);
  });
});
