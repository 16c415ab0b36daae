/** Whether a (normalized, see domain/ip-allowlist.ts) client address is this machine: 127.0.0.0/8 or ::1 (RFC 1122 §3.2.1.3, RFC 4291 §2.5.3). */
export const isLoopback = (ip: string): boolean => ip === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip);
