import { LdapError } from '../../domain/errors.js';
import { ResultCode } from '../../domain/result-code.js';

/**
 * A PDU that is not valid LDAPv3 BER. RFC 4511 §4.1.1: the server answers protocolError (2), and
 * when the messageID could be read it is carried so the reply can name the request.
 */
export class LdapDecodeError extends LdapError {
  readonly messageId?: number;

  constructor(message: string, messageId?: number) {
    super(ResultCode.protocolError, message);
    this.name = 'LdapDecodeError';
    if (messageId !== undefined) this.messageId = messageId;
  }

  /** The same error, now knowing which message it belongs to. */
  withMessageId(messageId: number): LdapDecodeError {
    const e = new LdapDecodeError(this.message, messageId);
    e.stack = this.stack;
    return e;
  }
}
