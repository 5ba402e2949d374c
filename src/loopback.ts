import { isIP } from 'node:net';

/** True for names and addresses only this machine can reach: localhost, ::1 and 127.0.0.0/8 (brackets allowed). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}
