/**
 * Search filter AST (RFC 4511 §4.5.1.7). Produced by the LDAP codec (and by the string parser of
 * RFC 4515 for tests, CLI and the connector) and evaluated by the directory view. Values are raw
 * octets decoded as UTF-8 strings: the wire carries OCTET STRINGs and every attribute pgdir serves
 * is a UTF-8 string syntax.
 */
export type Filter =
  | { readonly type: 'and'; readonly filters: readonly Filter[] }
  | { readonly type: 'or'; readonly filters: readonly Filter[] }
  | { readonly type: 'not'; readonly filter: Filter }
  | { readonly type: 'equality'; readonly attribute: string; readonly value: string }
  | { readonly type: 'greaterOrEqual'; readonly attribute: string; readonly value: string }
  | { readonly type: 'lessOrEqual'; readonly attribute: string; readonly value: string }
  | { readonly type: 'approx'; readonly attribute: string; readonly value: string }
  | { readonly type: 'present'; readonly attribute: string }
  | {
      readonly type: 'substrings';
      readonly attribute: string;
      readonly initial?: string;
      readonly any: readonly string[];
      readonly final?: string;
    }
  | {
      readonly type: 'extensible';
      readonly matchingRule?: string;
      readonly attribute?: string;
      readonly value: string;
      readonly dnAttributes: boolean;
    };

export type FilterType = Filter['type'];
