import { LdapError } from '../../domain/errors.js';
import { ResultCode } from '../../domain/result-code.js';

/**
 * A PDU that is not valid LDAPv3 BER. RFC 4511 §4.1.1: the server answers protocolError (2), and
 * when the messageID could be read it is carried so the reply can name the request.
 *
 * The one exception is a well-formed request refused by a configured limit (a filter with too many
 * nodes or levels): it carries adminLimitExceeded (11) instead, and the server answers that request
 * alone and keeps the connection (`limitExceeded`).
 */
export class LdapDecodeError extends LdapError {
  readonly messageId?: number;

  constructor(message: string, messageId?: number, resultCode: ResultCode = ResultCode.protocolError) {
    super(resultCode, message);
    this.name = 'LdapDecodeError';
    if (messageId !== undefined) this.messageId = messageId;
  }

  /** The PDU was valid BER but over a limit: answer the request, do not disconnect. */
  get limitExceeded(): boolean {
    return this.resultCode === ResultCode.adminLimitExceeded;
  }

  /** The same error, now knowing which message it belongs to. */
  withMessageId(messageId: number): LdapDecodeError {
    const e = new LdapDecodeError(this.message, messageId, this.resultCode);
    e.stack = this.stack;
    return e;
  }
}
