import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultCode, values } from './cases/context.js';
import { E2E_MODES, GROUPS_DN, SUFFIX, USERS_DN, startDirectory, type E2eDirectory } from './harness.js';
import { httpLogin } from './seed.js';

/**
 * Issue 16, applications, with real clients on both stores. Seed: alice, bob (role admin),
 * carol, dave, erin; eng {alice, bob}, ops {carol, dave}. The app `wiki` admits group ops, so
 * its users are carol and dave, plus bob as an admin; alice and erin have no access.
 */
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const APPS = `ou=apps,${SUFFIX}`;
const appBase = (name: string): string => `ou=${name},${APPS}`;
const appBind = (name: string): string => `cn=${name},${APPS}`;
const throughApp = (app: string, rdn: string): string => `${rdn},ou=users,${appBase(app)}`;

interface Created {
  id: string;
  name: string;
  bindDn: string;
  baseDn: string;
  secret: string;
}

async function until(what: string, check: () => Promise<boolean>, limitMs = 10_000): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > limitMs) throw new Error(`${what}: still not true after ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function ldap3(script: string, args: Record<string, unknown>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(PYTHON, ['-c', script, JSON.stringify(args)], { encoding: 'utf8', timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr }),
    );
  });
}

const LDAP3_SCRIPT = `
import json, ssl, sys
from ldap3 import Server, Connection, Tls, SUBTREE
a = json.loads(sys.argv[1])
tls = Tls(ca_certs_file=a['ca'], validate=ssl.CERT_REQUIRED)
server = Server('127.0.0.1', port=a['port'], use_ssl=True, tls=tls, get_info='ALL')
conn = Connection(server, user=a['dn'], password=a['password'])
if not conn.bind():
    print(json.dumps({'bound': False, 'result': conn.result['result']}))
    sys.exit(0)
out = {'bound': True, 'whoami': conn.extend.standard.who_am_i(), 'bases': {}}
for base in a['bases']:
    ok = conn.search(base, '(objectClass=inetOrgPerson)', SUBTREE, attributes=['uid'])
    out['bases'][base] = {'result': conn.result['result'], 'dns': [e.entry_dn for e in conn.entries], 'uids': sorted(str(e.uid) for e in conn.entries)}
print(json.dumps(out))
`;

/** ldap3 with the server's schema read (get_info ALL): a subtree under `base`, every attribute. */
const LDAP3_TREE = `
import json, ssl, sys
from ldap3 import Server, Connection, Tls, SUBTREE, ALL_ATTRIBUTES
a = json.loads(sys.argv[1])
tls = Tls(ca_certs_file=a['ca'], validate=ssl.CERT_REQUIRED)
server = Server('127.0.0.1', port=a['port'], use_ssl=True, tls=tls, get_info='ALL')
conn = Connection(server, user=a['dn'], password=a['password'], raise_exceptions=True)
conn.bind()
conn.search(a['base'], '(objectClass=*)', SUBTREE, attributes=[ALL_ATTRIBUTES, 'entryUUID', 'hasSubordinates'])
print(json.dumps([{'dn': e.entry_dn, 'objectClass': [str(v) for v in e.objectClass.values], 'cn': [str(v) for v in e.cn.values] if 'cn' in e else [], 'description': [str(v) for v in e.description.values] if 'description' in e else []} for e in conn.entries]))
`;

describe.each(E2E_MODES)('applications ($mode)', ({ mode }) => {
  let directory: E2eDirectory | undefined;
  let token = '';
  let wiki: Created;
  let chat: Created;
  const dir = (): E2eDirectory => {
    if (directory === undefined) throw new Error('the directory did not start (see beforeAll)');
    return directory;
  };
  const api = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> => {
    const res = await fetch(`${dir().httpUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, json: text === '' ? undefined : JSON.parse(text) };
  };
  const uidsUnder = async (client: Client, base: string): Promise<string[]> => {
    const { searchEntries } = await client.search(base, { scope: 'sub', filter: '(objectClass=inetOrgPerson)', attributes: ['uid'] });
    return searchEntries.map((e) => values(e, 'uid')[0] ?? '').sort();
  };
  const bindCode = async (dn: string, password: string): Promise<number> => {
    const c = dir().client();
    try {
      return await resultCode(c.bind(dn, password));
    } finally {
      await c.unbind().catch(() => undefined);
    }
  };

  beforeAll(async () => {
    directory = await startDirectory({ mode });
    token = await httpLogin(directory, directory.user('bob'));
    const created = await api('POST', '/api/v1/apps', { name: 'Wiki', description: 'the team wiki', access: { groups: ['ops'] } });
    expect(created.status).toBe(201);
    wiki = created.json as Created;
    const cli = await directory.cli(['apps', 'add', 'chat', '--everyone']);
    expect(cli.code).toBe(0);
    const secret = /secret:\s+(\S+)/.exec(cli.stdout)?.[1] ?? '';
    chat = { id: '', name: 'chat', bindDn: appBind('chat'), baseDn: appBase('chat'), secret };
    await until('the apps reach the view', async () => (await bindCode(appBind('chat'), secret)) === 0 && (await bindCode(wiki.bindDn, wiki.secret)) === 0);
  }, 400_000);

  afterAll(async () => {
    const exit = await directory?.stop();
    if (exit !== undefined) expect(exit).toEqual({ code: 0, signal: null });
  }, 30_000);

  it('creates apps with a bind DN, a base DN and a secret shown once', async () => {
    expect(wiki).toMatchObject({ name: 'wiki', bindDn: appBind('wiki'), baseDn: appBase('wiki') });
    expect(wiki.secret.length).toBeGreaterThanOrEqual(32);
    const shown = await api('GET', '/api/v1/apps/wiki');
    expect(shown.status).toBe(200);
    expect(shown.json.secret).toBeUndefined();
    expect(shown.json.access).toEqual({ everyone: false, groups: [{ id: expect.any(String), name: 'ops' }], teams: [] });
    const who = await api('GET', '/api/v1/apps/wiki/users');
    expect(who.json.items.map((u: { username: string; reason: string }) => `${u.username}:${u.reason}`).sort()).toEqual(['bob:admin', 'carol:group', 'dave:group']);
    const list = await dir().cli(['apps', 'list', '--json']);
    expect((JSON.parse(list.stdout) as { name: string }[]).map((a) => a.name)).toEqual(['chat', 'wiki']);
  });

  it('refuses bad input with the right status and keeps nothing', async () => {
    expect((await api('POST', '/api/v1/apps', { name: 'x', access: {} })).status).toBe(400);
    expect((await api('POST', '/api/v1/apps', { name: 'x', access: { everyone: true, groups: ['ops'] } })).status).toBe(400);
    expect((await api('POST', '/api/v1/apps', { name: 'x', access: { groups: ['no-such-group'] } })).status).toBe(400);
    expect((await api('POST', '/api/v1/apps', { name: 'bad name', access: { everyone: true } })).status).toBe(400);
    expect((await api('POST', '/api/v1/apps', { name: 'x', access: { teams: [{ team: 't', level: 'king' }] } })).status).toBe(400);
    expect((await api('POST', '/api/v1/apps', { name: 'wiki', access: { everyone: true } })).status).toBe(409);
    expect((await api('GET', '/api/v1/apps/x')).status).toBe(404);
    const cli = await dir().cli(['apps', 'add', 'y']);
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toContain('--everyone');
    const alice = await httpLogin(dir(), dir().user('alice'));
    const res = await fetch(`${dir().httpUrl}/api/v1/apps`, { headers: { authorization: `Bearer ${alice}` } });
    expect(res.status).toBe(403);
  });

  it('an app bound as itself sees exactly its users, under its base and under the global base (ldapts)', async () => {
    const app = await dir().bound(wiki.bindDn, wiki.secret);
    try {
      expect(await uidsUnder(app, wiki.baseDn)).toEqual(['bob', 'carol', 'dave']);
      expect(await uidsUnder(app, USERS_DN)).toEqual(['bob', 'carol', 'dave']);
      expect(await uidsUnder(app, SUFFIX)).toEqual(['bob', 'carol', 'dave']);
      const { searchEntries } = await app.search(`ou=users,${wiki.baseDn}`, { scope: 'one', filter: '(uid=carol)', attributes: ['memberOf'] });
      expect(searchEntries.map((e) => e.dn)).toEqual([`cn=uid-${dir().user('carol').id},ou=users,${wiki.baseDn}`]);
      expect(values(searchEntries[0], 'memberOf')).toContain(`cn=ops,ou=groups,${wiki.baseDn}`);
      // Whatever the filter, alice does not exist for this app.
      expect(await uidsUnder(app, USERS_DN).then(() => app.search(USERS_DN, { scope: 'sub', filter: '(uid=alice)' })).then((r) => r.searchEntries.length)).toBe(0);
      expect(await resultCode(app.search(dir().user('alice').dn, { scope: 'base' }))).toBe(32);
      expect(await resultCode(app.search(`ou=system,${SUFFIX}`, { scope: 'sub' }))).toBe(32);
      expect(await resultCode(app.search(chat.baseDn, { scope: 'sub' }))).toBe(32);
      // Groups list only members with access: eng shows bob, not alice.
      const eng = await app.search(`cn=eng,ou=groups,${wiki.baseDn}`, { scope: 'base', attributes: ['memberUid', 'member'] });
      expect(values(eng.searchEntries[0], 'memberUid')).toEqual(['bob']);
      expect(values(eng.searchEntries[0], 'member')).toEqual([`cn=uid-${dir().user('bob').id},ou=users,${wiki.baseDn}`]);
      const globalEng = await app.search(`cn=eng,${GROUPS_DN}`, { scope: 'base', attributes: ['memberUid'] });
      expect(values(globalEng.searchEntries[0], 'memberUid')).toEqual(['bob']);
    } finally {
      await app.unbind();
    }
  });

  it('ldapsearch as the app and the directory admin agree on the view; unknown apps answer 32', async () => {
    const r = await dir().ldap('ldapsearch', ['-D', wiki.bindDn, '-w', wiki.secret, '-b', wiki.baseDn, '-LLL', '(objectClass=posixAccount)', 'uid']);
    expect(r.code).toBe(0);
    expect(r.stdout.match(/^uid: .*$/gm)?.sort()).toEqual(['uid: bob', 'uid: carol', 'uid: dave']);
    const admin = await dir().ldap('ldapsearch', ['-D', dir().adminDn, '-w', dir().adminPassword, '-b', wiki.baseDn, '-LLL', '(objectClass=posixAccount)', 'uid']);
    expect(admin.stdout.match(/^uid: .*$/gm)?.sort()).toEqual(['uid: bob', 'uid: carol', 'uid: dave']);
    const unknown = await dir().ldap('ldapsearch', ['-D', dir().adminDn, '-w', dir().adminPassword, '-b', appBase('nope'), '-LLL', '(objectClass=*)']);
    expect(unknown.code).toBe(32);
  });

  it('members bind through the app, non-members and unknown apps get the same 49, admins always get in (ldapwhoami)', async () => {
    const carol = dir().user('carol');
    const ok = await dir().ldap('ldapwhoami', ['-D', throughApp('wiki', 'uid=carol'), '-w', carol.password]);
    expect(ok.code).toBe(0);
    expect(ok.stdout.trim()).toBe(`dn:cn=uid-${carol.id},ou=users,${wiki.baseDn}`);
    expect((await dir().ldap('ldapwhoami', ['-D', throughApp('wiki', `mail=${carol.email}`), '-w', carol.password])).code).toBe(0);
    expect((await dir().ldap('ldapwhoami', ['-D', throughApp('wiki', 'uid=bob'), '-w', dir().user('bob').password])).code).toBe(0);
    const alice = await dir().ldap('ldapwhoami', ['-D', throughApp('wiki', 'uid=alice'), '-w', dir().user('alice').password]);
    const wrong = await dir().ldap('ldapwhoami', ['-D', throughApp('wiki', 'uid=carol'), '-w', 'not-her-password']);
    const nobody = await dir().ldap('ldapwhoami', ['-D', throughApp('wiki', 'uid=nobody'), '-w', 'whatever-1']);
    const noApp = await dir().ldap('ldapwhoami', ['-D', throughApp('nope', 'uid=carol'), '-w', carol.password]);
    for (const r of [alice, wrong, nobody, noApp]) {
      expect(r.code).toBe(49);
      expect(r.stderr).not.toMatch(/additional info/);
    }
    // The same user binds through `chat` (everyone) and directly.
    expect((await dir().ldap('ldapwhoami', ['-D', throughApp('chat', 'uid=alice'), '-w', dir().user('alice').password])).code).toBe(0);
  });

  it('python ldap3 (schema checking) binds as the app and reads only its users', async () => {
    const out = await ldap3(LDAP3_SCRIPT, { ca: dir().caFile, port: dir().ldapsPort, dn: wiki.bindDn, password: wiki.secret, bases: [wiki.baseDn, USERS_DN] });
    expect(out.code, out.stderr).toBe(0);
    const parsed = JSON.parse(out.stdout) as { bound: boolean; whoami: string; bases: Record<string, { result: number; uids: string[] }> };
    expect(parsed.bound).toBe(true);
    expect(parsed.whoami).toBe(`dn:${wiki.bindDn}`);
    expect(parsed.bases[wiki.baseDn]?.uids).toEqual(['bob', 'carol', 'dave']);
    expect(parsed.bases[USERS_DN]?.uids).toEqual(['bob', 'carol', 'dave']);
    const member = await ldap3(LDAP3_SCRIPT, { ca: dir().caFile, port: dir().ldapsPort, dn: throughApp('wiki', 'uid=dave'), password: dir().user('dave').password, bases: [] });
    expect(JSON.parse(member.stdout)).toMatchObject({ bound: true });
    const outsider = await ldap3(LDAP3_SCRIPT, { ca: dir().caFile, port: dir().ldapsPort, dn: throughApp('wiki', 'uid=erin'), password: dir().user('erin').password, bases: [] });
    expect(JSON.parse(outsider.stdout)).toEqual({ bound: false, result: 49 });
  });

  it('ou=apps, the application entries and the view roots are searchable: all for the admin, its own for an app, none for users (ldapts)', async () => {
    const admin = await dir().bound(dir().adminDn, dir().adminPassword);
    try {
      const base = await admin.search(APPS, { scope: 'base', attributes: ['objectClass', 'ou', 'hasSubordinates'] });
      expect(values(base.searchEntries[0], 'objectClass')).toEqual(['top', 'organizationalUnit']);
      expect(values(base.searchEntries[0], 'hasSubordinates')).toEqual(['TRUE']);
      const one = await admin.search(APPS, { scope: 'one', attributes: ['1.1'] });
      expect(one.searchEntries.map((e) => e.dn)).toEqual([appBind('chat'), chat.baseDn, wiki.bindDn, wiki.baseDn]);
      const entry = (await admin.search(wiki.bindDn, { scope: 'base', attributes: ['*', '+'] })).searchEntries[0];
      expect(values(entry, 'objectClass')).toEqual(['top', 'applicationProcess']);
      expect(values(entry, 'cn')).toEqual(['wiki']);
      expect(values(entry, 'description')).toEqual(['the team wiki']);
      expect(values(entry, 'entryUUID')).toEqual([wiki.id]);
      expect(Object.keys(entry ?? {}).map((k) => k.toLowerCase())).not.toContain('userpassword');
      const root = (await admin.search(wiki.baseDn, { scope: 'base', attributes: ['objectClass', 'description'] })).searchEntries[0];
      expect(values(root, 'objectClass')).toEqual(['top', 'organizationalUnit']);
      expect(values(root, 'description')).toEqual(['the team wiki']);
      // A subtree at the suffix lists the apps' entries and view roots, but not the views' contents:
      // every user comes back once, not once per application.
      const sub = (await admin.search(SUFFIX, { scope: 'sub', filter: '(|(objectClass=applicationProcess)(objectClass=organizationalUnit))', attributes: ['1.1'] })).searchEntries.map((e) => e.dn);
      expect(sub).toEqual(expect.arrayContaining([APPS, wiki.bindDn, wiki.baseDn, appBind('chat'), chat.baseDn]));
      expect(sub).not.toContain(`ou=users,${wiki.baseDn}`);
      const carol = await admin.search(SUFFIX, { scope: 'sub', filter: '(uid=carol)', attributes: ['1.1'] });
      expect(carol.searchEntries.map((e) => e.dn)).toEqual([dir().user('carol').dn]);
      const compare = await admin.compare(wiki.bindDn, 'cn', 'wiki');
      expect(compare).toBe(true);
      expect(await resultCode(admin.search(`cn=nope,${APPS}`, { scope: 'base' }))).toBe(32);
    } finally {
      await admin.unbind();
    }
    const app = await dir().bound(wiki.bindDn, wiki.secret);
    try {
      const one = await app.search(APPS, { scope: 'one', attributes: ['1.1'] });
      expect(one.searchEntries.map((e) => e.dn)).toEqual([wiki.bindDn, wiki.baseDn]);
      expect(await resultCode(app.search(appBind('chat'), { scope: 'base' }))).toBe(32);
      const own = await app.search(wiki.bindDn, { scope: 'base', attributes: ['cn'] });
      expect(values(own.searchEntries[0], 'cn')).toEqual(['wiki']);
    } finally {
      await app.unbind();
    }
    const carol = dir().user('carol');
    const user = await dir().bound(carol.dn, carol.password);
    try {
      expect(await resultCode(user.search(APPS, { scope: 'base' }))).toBe(32);
      expect(await resultCode(user.search(wiki.bindDn, { scope: 'base' }))).toBe(32);
      const { searchEntries } = await user.search(SUFFIX, { scope: 'one', attributes: ['1.1'] });
      expect(searchEntries.map((e) => e.dn)).not.toContain(APPS);
    } finally {
      await user.unbind();
    }
  });

  it('ldapsearch and python ldap3 (schema checking) read ou=apps as the admin', async () => {
    const r = await dir().ldap('ldapsearch', ['-D', dir().adminDn, '-w', dir().adminPassword, '-b', APPS, '-LLL', '-s', 'one', '(objectClass=applicationProcess)', 'cn', 'description']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.match(/^cn: .*$/gm)).toEqual(['cn: chat', 'cn: wiki']);
    expect(r.stdout).toContain('description: the team wiki');
    const out = await ldap3(LDAP3_TREE, { ca: dir().caFile, port: dir().ldapsPort, dn: dir().adminDn, password: dir().adminPassword, base: APPS });
    expect(out.code, out.stderr).toBe(0);
    const entries = JSON.parse(out.stdout) as { dn: string; objectClass: string[]; cn: string[]; description: string[] }[];
    expect(entries.map((e) => e.dn)).toEqual([APPS, appBind('chat'), chat.baseDn, wiki.bindDn, wiki.baseDn]);
    expect(entries.find((e) => e.dn === wiki.bindDn)).toEqual({ dn: wiki.bindDn, objectClass: ['top', 'applicationProcess'], cn: ['wiki'], description: ['the team wiki'] });
  });

  it('removing a member from the group takes effect at once for searches and binds', async () => {
    const app = await dir().bound(wiki.bindDn, wiki.secret);
    try {
      expect((await dir().cli(['groups', 'remove-member', 'ops', 'dave'])).code).toBe(0);
      const ms = await until('dave leaves the wiki view', async () => !(await uidsUnder(app, wiki.baseDn)).includes('dave'));
      expect(ms).toBeLessThan(1000); // issue 16: access changes take effect within 1 s
      expect(await bindCode(throughApp('wiki', 'uid=dave'), dir().user('dave').password)).toBe(49);
      expect((await dir().cli(['groups', 'add-member', 'ops', 'dave'])).code).toBe(0);
      await until('dave is back', async () => (await uidsUnder(app, wiki.baseDn)).includes('dave'));
      expect(await bindCode(throughApp('wiki', 'uid=dave'), dir().user('dave').password)).toBe(0);
      // Changing the rule itself: everyone, then back.
      expect((await dir().cli(['apps', 'set-access', 'wiki', '--everyone'])).code).toBe(0);
      await until('wiki opens to everyone', async () => (await uidsUnder(app, wiki.baseDn)).length === 5);
      expect((await dir().cli(['apps', 'set-access', 'wiki', '--nobody'])).code).toBe(0);
      await until('wiki closes to all but admins', async () => (await uidsUnder(app, wiki.baseDn)).join() === 'bob');
      expect((await dir().cli(['apps', 'set-access', 'wiki', '--group', 'ops'])).code).toBe(0);
      await until('wiki back to ops', async () => (await uidsUnder(app, wiki.baseDn)).length === 3);
    } finally {
      await app.unbind();
    }
  }, 180_000);

  it('deleting a group an access rule uses is refused with 409 naming the apps', async () => {
    const groups = await api('GET', '/api/v1/groups');
    const ops = (groups.json.items as { id: string; name: string }[]).find((g) => g.name === 'ops');
    const res = await api('DELETE', `/api/v1/groups/${ops?.id}`);
    expect(res.status).toBe(409);
    expect(JSON.stringify(res.json)).toContain('wiki');
    const cli = await dir().cli(['groups', 'delete', 'ops']);
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toContain('wiki');
    expect((await api('GET', '/api/v1/groups')).json.items.some((g: { name: string }) => g.name === 'ops')).toBe(true);
  }, 60_000);

  it('rotating the secret invalidates the old one at once', async () => {
    const rotated = await api('POST', '/api/v1/apps/wiki/secret');
    expect(rotated.status).toBe(201);
    const next = rotated.json.secret as string;
    expect(next).not.toBe(wiki.secret);
    // From the answer on: the old secret is refused as soon as the LDAP view follows the change.
    const ms = await until('the old secret is refused', async () => (await bindCode(wiki.bindDn, wiki.secret)) === 49);
    expect(ms).toBeLessThan(1000);
    expect(await bindCode(wiki.bindDn, next)).toBe(0);
    expect(await bindCode(wiki.bindDn, wiki.secret)).toBe(49);
    wiki = { ...wiki, secret: next };
  });

  it('refuses the app from outside its allowed CIDRs, with the same 49', async () => {
    expect((await api('PATCH', '/api/v1/apps/wiki', { allowedCidrs: ['192.0.2.0/24'] })).status).toBe(200);
    await until('the CIDR rule applies', async () => (await bindCode(wiki.bindDn, wiki.secret)) === 49);
    expect((await api('PATCH', '/api/v1/apps/wiki', { allowedCidrs: ['127.0.0.0/8', '::1'] })).status).toBe(200);
    await until('loopback allowed again', async () => (await bindCode(wiki.bindDn, wiki.secret)) === 0);
  });

  it('audits binds per app and counts them in pgdir_app_binds_total', async () => {
    await until('bind audit rows are written', async () => {
      const audit = await api('GET', `/api/v1/audit?action=app.bind&target=${wiki.id}`);
      const outcomes = new Set((audit.json.items as { details: { outcome: string } }[]).map((r) => r.details.outcome));
      return outcomes.has('success') && outcomes.has('no_access') && outcomes.has('source') && outcomes.has('invalid_credentials');
    });
    const metrics = await (await fetch(`${dir().httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/pgdir_app_binds_total\{app="wiki",outcome="success"\} [1-9]/);
    expect(metrics).toMatch(/pgdir_app_binds_total\{app="wiki",outcome="no_access"\} [1-9]/);
    expect(metrics).toMatch(/pgdir_app_binds_total\{app="",outcome="unknown_app"\} [1-9]/);
    expect(metrics).not.toContain('app="nope"');
  });

  it('the CLI: apps add --team T:LEVEL, apps show (who and why), apps rotate (old secret refused), apps delete', async () => {
    const erin = dir().user('erin');
    expect((await dir().cli(['teams', 'add', 'web'])).code).toBe(0);
    expect((await dir().cli(['teams', 'grant', 'web', 'erin', 'editor'])).code).toBe(0);
    expect((await dir().cli(['teams', 'grant', 'web', 'alice', 'viewer'])).code).toBe(0);
    const added = await dir().cli(['apps', 'add', 'grafana', '--team', 'web:editor', '--description', 'dashboards']);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain(`bind DN: ${appBind('grafana')}`);
    expect(added.stdout).toContain(`base DN: ${appBase('grafana')}`);
    const first = /secret:\s+(\S+)/.exec(added.stdout)?.[1] ?? '';
    await until('grafana binds', async () => (await bindCode(appBind('grafana'), first)) === 0);
    // erin is an editor on web (>= editor), alice only a viewer; bob is an admin.
    const r = await dir().ldap('ldapsearch', ['-D', appBind('grafana'), '-w', first, '-b', appBase('grafana'), '-LLL', '(objectClass=posixAccount)', 'uid']);
    expect(r.stdout.match(/^uid: .*$/gm)?.sort()).toEqual(['uid: bob', 'uid: erin']);
    expect((await dir().ldap('ldapwhoami', ['-D', throughApp('grafana', 'uid=erin'), '-w', erin.password])).code).toBe(0);
    expect((await dir().ldap('ldapwhoami', ['-D', throughApp('grafana', 'uid=alice'), '-w', dir().user('alice').password])).code).toBe(49);
    const shown = await dir().cli(['apps', 'show', 'grafana']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('access:  team web at least editor');
    expect(shown.stdout).toMatch(/^erin\s+\S+\s+team web$/m);
    expect(shown.stdout).toMatch(/^bob\s+\S+\s+admin$/m);
    expect(shown.stdout).not.toMatch(/^alice\s/m);
    const json = JSON.parse((await dir().cli(['apps', 'show', 'grafana', '--json'])).stdout) as { app: { description: string }; users: { username: string; reason: string }[] };
    expect(json.app.description).toBe('dashboards');
    expect(json.users.map((u) => `${u.username}:${u.reason}`).sort()).toEqual(['bob:admin', 'erin:team']);
    const rotated = await dir().cli(['apps', 'rotate', 'grafana']);
    expect(rotated.code, rotated.stderr).toBe(0);
    const second = /secret:\s+(\S+)/.exec(rotated.stdout)?.[1] ?? '';
    expect(second).not.toBe(first);
    expect(await until('the old secret is refused', async () => (await bindCode(appBind('grafana'), first)) === 49)).toBeLessThan(1000);
    expect(await bindCode(appBind('grafana'), second)).toBe(0);
    expect((await dir().cli(['apps', 'delete', 'grafana'])).code).toBe(0);
    expect((await dir().cli(['apps', 'show', 'grafana'])).code).not.toBe(0);
  }, 180_000);

  it('deleting an app removes its identity and view at once', async () => {
    expect((await dir().cli(['apps', 'delete', 'chat'])).code).toBe(0);
    await until('chat is gone', async () => (await bindCode(appBind('chat'), chat.secret)) === 49);
    const admin = await dir().bound(dir().adminDn, dir().adminPassword);
    try {
      expect(await resultCode(admin.search(chat.baseDn, { scope: 'base' }))).toBe(32);
    } finally {
      await admin.unbind();
    }
  });
});
