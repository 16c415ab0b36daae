import { createHash } from 'node:crypto';
import { parseAllowlist } from '../../src/domain/ip-allowlist.js';
import { ResultCode } from '../../src/domain/result-code.js';
import { encodePagedResultsControl, encodeResult, encodeSearchEntry } from '../../src/ldap/codec/index.js';
import { Oid, type EntryAttribute, type RequestMessage, type SearchEntry, type SearchRequest } from '../../src/ldap/protocol.js';
import { createLdapServer, type LdapHandler, type LdapServer, type ResponseSink } from '../../src/ldap/server/ldap-server.js';
import { recordingLogger } from './ldap-test-server.js';

/**
 * A small directory that answers like Active Directory where slapd cannot: member lists longer
 * than `maxValRange` come back as `member;range=0-<max-1>`, and a base search for
 * `member;range=<n>-*` returns the next chunk, the last one as `member;range=<n>-*`
 * (MS-ADTS 3.1.1.3.1.3.3). It runs on pgdir's own LDAP server engine over real TCP, so the
 * connector talks to it through ldapts exactly as it would to a domain controller.
 *
 * `rangeMode` per group DN makes the follow-up requests misbehave: `refuse` (53
 * unwillingToPerform), `unavailable` (52, the server going away), `skip` (a chunk that does
 * not follow on), `plain` (no range option at all).
 */

export const AD_BASE = 'dc=corp,dc=example,dc=com';
export const USERS_BASE = `ou=Staff,${AD_BASE}`;
export const GROUPS_BASE = `ou=Groups,${AD_BASE}`;

export type RangeMode = 'ok' | 'refuse' | 'unavailable' | 'skip' | 'plain';

export interface AdUser {
  readonly sam: string;
  /** userAccountControl (512 normal account, 514 = 512 | ACCOUNTDISABLE). */
  readonly uac?: number;
}

export interface AdRangeServer {
  readonly url: string;
  readonly users: Map<string, AdUser>;
  /** Group cn → member sAMAccountNames. */
  readonly groups: Map<string, string[]>;
  readonly rangeMode: Map<string, RangeMode>;
  /** Range requests answered so far (`<group cn> <attribute option>`). */
  readonly rangeRequests: string[];
  close(): Promise<void>;
}

export const userDn = (sam: string): string => `cn=${sam},${USERS_BASE}`;
export const groupDn = (cn: string): string => `cn=${cn},${GROUPS_BASE}`;
export const guid = (name: string): Buffer => createHash('sha256').update(name).digest().subarray(0, 16);

function userEntry(u: AdUser): SearchEntry {
  return {
    objectName: userDn(u.sam),
    attributes: [
      { type: 'sAMAccountName', values: [u.sam] },
      { type: 'mail', values: [`${u.sam}@example.com`] },
      { type: 'displayName', values: [`User ${u.sam}`] },
      { type: 'objectGUID', values: [guid(u.sam)] },
      { type: 'userAccountControl', values: [String(u.uac ?? 512)] },
    ],
  };
}

function groupEntry(cn: string, members: readonly string[], max: number): SearchEntry {
  const dns = members.map(userDn);
  const member: EntryAttribute =
    dns.length > max ? { type: `member;range=0-${max - 1}`, values: dns.slice(0, max) } : { type: 'member', values: dns };
  return { objectName: groupDn(cn), attributes: [{ type: 'cn', values: [cn] }, { type: 'objectGUID', values: [guid(`group:${cn}`)] }, member] };
}

/** The chunk AD gives for `member;range=<low>-*`: at most `max` values, `*` on the last. */
function chunkEntry(cn: string, members: readonly string[], low: number, max: number, mode: RangeMode): SearchEntry {
  const dns = members.map(userDn);
  const start = mode === 'skip' ? low + 1 : low;
  const values = dns.slice(start, start + max);
  const last = start + values.length >= dns.length;
  const type = mode === 'plain' ? 'member' : `member;range=${start}-${last ? '*' : start + values.length - 1}`;
  return { objectName: groupDn(cn), attributes: [{ type: 'cn', values: [cn] }, { type, values }] };
}

function search(s: AdRangeServer, max: number, msg: RequestMessage, req: SearchRequest, out: ResponseSink): void {
  const done = (resultCode: ResultCode, controls = false) =>
    out.send(encodeResult(msg.messageId, 'searchDone', { resultCode }, controls ? [encodePagedResultsControl(0, Buffer.alloc(0))] : undefined));
  const paged = msg.controls.some((c) => c.oid === Oid.pagedResults);
  const base = req.baseObject.toLowerCase();
  if (base === USERS_BASE.toLowerCase()) {
    for (const u of s.users.values()) out.send(encodeSearchEntry(msg.messageId, userEntry(u)));
    return void done(ResultCode.success, paged);
  }
  if (base === GROUPS_BASE.toLowerCase()) {
    for (const [cn, members] of s.groups) out.send(encodeSearchEntry(msg.messageId, groupEntry(cn, members, max)));
    return void done(ResultCode.success, paged);
  }
  const cn = [...s.groups.keys()].find((g) => groupDn(g).toLowerCase() === base);
  const ranged = req.attributes.map((a) => /^member;range=(\d+)-\*$/i.exec(a)).find((m) => m !== null);
  if (cn === undefined || ranged === undefined || ranged === null) return void done(ResultCode.noSuchObject);
  s.rangeRequests.push(`${cn} ${req.attributes.join(',')}`);
  const mode = s.rangeMode.get(cn) ?? 'ok';
  if (mode === 'refuse') return void done(ResultCode.unwillingToPerform);
  if (mode === 'unavailable') return void done(ResultCode.unavailable);
  out.send(encodeSearchEntry(msg.messageId, chunkEntry(cn, s.groups.get(cn) ?? [], Number(ranged[1]), max, mode)));
  done(ResultCode.success);
}

export async function startAdRangeServer(options: { maxValRange?: number } = {}): Promise<AdRangeServer> {
  const max = options.maxValRange ?? 1500;
  let server: LdapServer | undefined;
  const state: AdRangeServer = {
    url: '',
    users: new Map(),
    groups: new Map(),
    rangeMode: new Map(),
    rangeRequests: [],
    close: async () => server?.close(500),
  };
  const handler: LdapHandler = {
    handle(msg, _conn, out) {
      const { request } = msg;
      if (request.op === 'bind') out.send(encodeResult(msg.messageId, 'bind', { resultCode: ResultCode.success }));
      else if (request.op === 'search') search(state, max, msg, request, out);
      else out.send(encodeResult(msg.messageId, 'modify', { resultCode: ResultCode.unwillingToPerform }));
    },
  };
  server = createLdapServer({ listen: ['ldap://127.0.0.1:0'], allowlist: parseAllowlist(['127.0.0.0/8']), logger: recordingLogger() }, handler);
  await server.start();
  const port = server.addresses()[0]?.port ?? 0;
  return Object.assign(state, { url: `ldap://127.0.0.1:${port}` });
}
