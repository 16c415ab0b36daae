import { escapeHtml } from '../../domain/escape-html.js';

/** Form controls with their labels (WCAG 1.3.1, 3.3.2): every input has a <label for>. */

export interface InputOptions {
  readonly value?: string | undefined;
  readonly type?: string;
  readonly autocomplete?: string;
  readonly required?: boolean;
  readonly extra?: string;
}

export function input(name: string, label: string, options: InputOptions = {}): string {
  const id = `f-${name}`;
  const type = options.type ?? 'text';
  const auto = options.autocomplete === undefined ? '' : ` autocomplete="${options.autocomplete}"`;
  // One-time codes are digits: phones then offer the number pad (WHATWG HTML, inputmode).
  const numeric = options.autocomplete === 'one-time-code' ? ' inputmode="numeric" pattern="[0-9]*"' : '';
  const value = options.value === undefined || type === 'password' ? '' : ` value="${escapeHtml(options.value)}"`;
  return `<label for="${id}">${escapeHtml(label)}</label>
<input id="${id}" name="${name}" type="${type}"${auto}${numeric}${options.required === true ? ' required' : ''}${value}${options.extra ?? ''}>`;
}

export function select(name: string, label: string, choices: readonly (readonly [string, string])[], selected?: string): string {
  const id = `f-${name}`;
  const options = choices
    .map(([value, text]) => `<option value="${escapeHtml(value)}"${value === selected ? ' selected' : ''}>${escapeHtml(text)}</option>`)
    .join('');
  return `<label for="${id}">${escapeHtml(label)}</label><select id="${id}" name="${name}">${options}</select>`;
}

export function checkbox(name: string, label: string, checked: boolean): string {
  return `<label class="check" for="f-${name}"><input id="f-${name}" type="checkbox" name="${name}" value="1"${checked ? ' checked' : ''}>${escapeHtml(label)}</label>`;
}

export const hidden = (name: string, value: string): string => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;

export const button = (text: string, kind: '' | 'secondary' | 'danger' = ''): string =>
  `<button type="submit"${kind === '' ? '' : ` class="${kind}"`}>${escapeHtml(text)}</button>`;

/** `application/x-www-form-urlencoded` as a record (the last value of a repeated name wins)… */
export const formOf = (text: string): Record<string, string> => Object.fromEntries(new URLSearchParams(text));

/** …and every value of one name (checkbox lists). */
export const allOf = (text: string, name: string): string[] => new URLSearchParams(text).getAll(name);
