import type { Control, LdapResult } from '../protocol.js';
import type { BerWriter } from '../ber/writer.js';
import { Tag } from '../ber/tags.js';

/** Controls ::= SEQUENCE OF Control, tagged [0] in LDAPMessage (RFC 4511 §4.1.11). */
export function writeControls(w: BerWriter, controls: readonly Control[] | undefined): void {
  if (controls === undefined || controls.length === 0) return;
  w.start(Tag.ctx0c);
  for (const c of controls) {
    w.start(Tag.sequence);
    w.string(Tag.octetString, c.oid);
    // criticality is DEFAULT FALSE: omit it when false (X.690 §11.5 style, as every server does).
    if (c.critical) w.boolean(Tag.boolean, true);
    if (c.value !== undefined) w.octets(Tag.octetString, c.value);
    w.end();
  }
  w.end();
}

/** LDAPResult components (RFC 4511 §4.1.9); referral [3] only when there is one (SIZE (1..MAX)). */
export function writeLdapResult(w: BerWriter, result: LdapResult): void {
  w.integer(Tag.enumerated, result.resultCode);
  w.string(Tag.octetString, result.matchedDN ?? '');
  w.string(Tag.octetString, result.diagnosticMessage ?? '');
  const referral = result.referral;
  if (referral !== undefined && referral.length > 0) {
    w.start(Tag.ctx3c);
    for (const uri of referral) w.string(Tag.octetString, uri);
    w.end();
  }
}
