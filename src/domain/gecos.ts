/**
 * The RFC 2307 `gecos` value of a full name (§2.2: IA5String, so ASCII only). SSSD and nslcd show
 * it as the user's full name in `getent passwd`, and fall back to `cn` (`uid-<uuid>` here) without
 * it. Letters are folded to their ASCII base (Zoë → Zoe, Łukasz → Lukasz, Straße → Strasse); what
 * has no ASCII form becomes `?`. `:` and control characters would break the passwd line clients
 * build from it, so they become spaces. The UTF-8 name stays in displayName.
 */
const SPECIAL: Readonly<Record<string, string>> = {
  ß: 'ss', ẞ: 'SS', æ: 'ae', Æ: 'AE', œ: 'oe', Œ: 'OE', ø: 'o', Ø: 'O', ł: 'l', Ł: 'L', đ: 'd', Đ: 'D',
  ð: 'd', Ð: 'D', þ: 'th', Þ: 'Th', ı: 'i', ħ: 'h', Ħ: 'H',
};

export function gecosOf(fullName: string): string {
  return fullName
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[^\x20-\x7e]/g, (ch) => SPECIAL[ch] ?? (/[\p{Cc}\p{Zl}\p{Zp}]/u.test(ch) ? ' ' : '?'))
    .replace(/:/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
