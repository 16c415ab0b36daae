import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, maskUrl, REDACTED } from '../../src/log/create-logger.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, destination };
}

describe('logger', () => {
  it('writes pino JSON at the configured level', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ level: 'info', destination, base: { part: 'test' } });
    logger.debug('hidden');
    logger.info({ user: 'alice' }, 'shown');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 30, msg: 'shown', user: 'alice', part: 'test', pid: process.pid });
  });

  it('redacts secrets at the top level and two levels down', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ level: 'info', destination });
    logger.info(
      {
        password: 'p1',
        request: { newPassword: 'p2', oldPassword: 'p3', username: 'alice' },
        config: { ldap: { admin_password: 'p4' }, database: { url: 'postgres://u:p5@h/db' } },
        req: { headers: { authorization: 'Bearer p6', host: 'x' } },
        user: { passwordHash: '$2b$10$p7' },
      },
      'with secrets',
    );
    const text = JSON.stringify(lines[0]);
    for (const secret of ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7']) expect(text).not.toContain(`${secret}`);
    expect(lines[0]).toMatchObject({ password: REDACTED, request: { newPassword: REDACTED, username: 'alice' }, req: { headers: { host: 'x' } } });
  });

  it('masks the password of a database URL for messages', () => {
    expect(maskUrl('postgres://pgdir:s3cret@db:5432/pgdir?sslmode=require')).toBe('postgres://pgdir:***@db:5432/pgdir?sslmode=require');
    expect(maskUrl('postgres://db/pgdir')).toBe('postgres://db/pgdir');
    expect(maskUrl('not a url')).toBe('(unparseable url)');
  });
});
