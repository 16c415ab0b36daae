/**
 * A QR code encoder (ISO/IEC 18004) for the otpauth:// URL: byte mode, error correction level M,
 * versions 1–10 (up to 213 bytes). Structure after Project Nayuki's reference implementation.
 * Returns the module matrix, `true` for dark.
 */

// Level M per version: [error-correction codewords per block, blocks of group 1, data codewords
// per group-1 block, blocks of group 2 (one more data codeword each)] (ISO/IEC 18004 Table 9).
const BLOCKS_M: readonly (readonly [number, number, number, number])[] = [
  [10, 1, 16, 0], [16, 1, 28, 0], [26, 1, 44, 0], [18, 2, 32, 0], [24, 2, 43, 0],
  [16, 4, 27, 0], [18, 4, 31, 0], [22, 2, 38, 2], [22, 3, 36, 2], [26, 4, 43, 1],
];
const ALIGNMENT: readonly (readonly number[])[] = [
  [], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50],
];

type Matrix = boolean[][];

function gfMultiply(x: number, y: number): number {
  let z = 0;
  for (let i = 7; i >= 0; i--) {
    z = (z << 1) ^ ((z >>> 7) * 0x11d);
    z ^= ((y >>> i) & 1) * x;
  }
  return z & 0xff;
}

/** Reed–Solomon check bytes over GF(2^8) with polynomial 0x11D and generator roots α^0..α^(n-1). */
function reedSolomon(data: readonly number[], degree: number): number[] {
  const divisor = new Array<number>(degree).fill(0);
  divisor[degree - 1] = 1;
  let root = 1;
  for (let i = 0; i < degree; i++) {
    for (let j = 0; j < degree; j++) {
      divisor[j] = gfMultiply(divisor[j] ?? 0, root) ^ (divisor[j + 1] ?? 0);
    }
    root = gfMultiply(root, 0x02);
  }
  const result = new Array<number>(degree).fill(0);
  for (const b of data) {
    const factor = b ^ (result.shift() ?? 0);
    result.push(0);
    divisor.forEach((coef, i) => (result[i] = (result[i] ?? 0) ^ gfMultiply(coef, factor)));
  }
  return result;
}

function dataCodewords(bytes: Uint8Array, version: number, capacity: number): number[] {
  const bits: number[] = [];
  const push = (value: number, length: number) => {
    for (let i = length - 1; i >= 0; i--) bits.push((value >>> i) & 1);
  };
  push(0b0100, 4); // byte mode
  push(bytes.length, version <= 9 ? 8 : 16);
  bytes.forEach((b) => push(b, 8));
  push(0, Math.min(4, capacity * 8 - bits.length));
  push(0, (8 - (bits.length % 8)) % 8);
  const words: number[] = [];
  for (let i = 0; i < bits.length; i += 8) words.push(bits.slice(i, i + 8).reduce((a, b) => (a << 1) | b, 0));
  for (let pad = 0xec; words.length < capacity; pad ^= 0xec ^ 0x11) words.push(pad);
  return words;
}

/** Splits into blocks, adds each block's check bytes, and interleaves (ISO/IEC 18004 §7.6). */
function interleave(data: readonly number[], version: number): number[] {
  const [ecLen, g1, g1Len, g2] = BLOCKS_M[version - 1] ?? [0, 0, 0, 0];
  const blocks: number[][] = [];
  let offset = 0;
  for (let b = 0; b < g1 + g2; b++) {
    const len = g1Len + (b < g1 ? 0 : 1);
    blocks.push(data.slice(offset, offset + len));
    offset += len;
  }
  const checks = blocks.map((block) => reedSolomon(block, ecLen));
  const out: number[] = [];
  for (let i = 0; i <= g1Len; i++) blocks.forEach((block) => i < block.length && out.push(block[i] ?? 0));
  for (let i = 0; i < ecLen; i++) checks.forEach((check) => out.push(check[i] ?? 0));
  return out;
}

class Grid {
  readonly size: number;
  readonly modules: Matrix;
  readonly isFunction: Matrix;
  constructor(readonly version: number) {
    this.size = version * 4 + 17;
    this.modules = Array.from({ length: this.size }, () => new Array<boolean>(this.size).fill(false));
    this.isFunction = Array.from({ length: this.size }, () => new Array<boolean>(this.size).fill(false));
  }
  set(x: number, y: number, dark: boolean): void {
    const row = this.modules[y];
    const fn = this.isFunction[y];
    if (row === undefined || fn === undefined || x < 0 || x >= this.size) return;
    row[x] = dark;
    fn[x] = true;
  }
}

function drawFunctionPatterns(grid: Grid): void {
  const { size, version } = grid;
  for (let i = 0; i < size; i++) {
    grid.set(6, i, i % 2 === 0);
    grid.set(i, 6, i % 2 === 0);
  }
  for (const [cx, cy] of [[3, 3], [size - 4, 3], [3, size - 4]] as const) {
    for (let dy = -4; dy <= 4; dy++) {
      for (let dx = -4; dx <= 4; dx++) {
        const dist = Math.max(Math.abs(dx), Math.abs(dy));
        if (cx + dx >= 0 && cy + dy >= 0 && cx + dx < size && cy + dy < size) grid.set(cx + dx, cy + dy, dist !== 2 && dist !== 4);
      }
    }
  }
  const positions = ALIGNMENT[version - 1] ?? [];
  const last = positions.length - 1;
  positions.forEach((y, i) =>
    positions.forEach((x, j) => {
      if ((i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0)) return;
      for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) grid.set(x + dx, y + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
    }),
  );
  drawFormatBits(grid, 0); // reserves the area; redrawn with the chosen mask
  if (version >= 7) {
    let rem = version;
    for (let i = 0; i < 12; i++) rem = (rem << 1) ^ ((rem >>> 11) * 0x1f25);
    const bits = (version << 12) | rem;
    for (let i = 0; i < 18; i++) {
      const bit = ((bits >>> i) & 1) !== 0;
      const a = size - 11 + (i % 3);
      const b = Math.floor(i / 3);
      grid.set(a, b, bit);
      grid.set(b, a, bit);
    }
  }
}

/** Format information: level M (00) and the mask, BCH(15,5), XOR 0x5412 (ISO/IEC 18004 §7.9). */
function drawFormatBits(grid: Grid, mask: number): void {
  const data = mask; // level M's indicator is 00
  let rem = data;
  for (let i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >>> 9) * 0x537);
  const bits = ((data << 10) | rem) ^ 0x5412;
  const bit = (i: number) => ((bits >>> i) & 1) !== 0;
  const { size } = grid;
  for (let i = 0; i <= 5; i++) grid.set(8, i, bit(i));
  grid.set(8, 7, bit(6));
  grid.set(8, 8, bit(7));
  grid.set(7, 8, bit(8));
  for (let i = 9; i < 15; i++) grid.set(14 - i, 8, bit(i));
  for (let i = 0; i < 8; i++) grid.set(size - 1 - i, 8, bit(i));
  for (let i = 8; i < 15; i++) grid.set(8, size - 15 + i, bit(i));
  grid.set(8, size - 8, true); // the dark module
}

function placeData(grid: Grid, codewords: readonly number[]): void {
  const { size } = grid;
  let i = 0;
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    for (let vert = 0; vert < size; vert++) {
      for (let j = 0; j < 2; j++) {
        const x = right - j;
        const y = ((right + 1) & 2) === 0 ? size - 1 - vert : vert;
        const row = grid.modules[y];
        if (row === undefined || grid.isFunction[y]?.[x] === true || i >= codewords.length * 8) continue;
        row[x] = (((codewords[i >>> 3] ?? 0) >>> (7 - (i & 7))) & 1) !== 0;
        i++;
      }
    }
  }
}

const MASKS: readonly ((x: number, y: number) => boolean)[] = [
  (x, y) => (x + y) % 2 === 0,
  (_x, y) => y % 2 === 0,
  (x) => x % 3 === 0,
  (x, y) => (x + y) % 3 === 0,
  (x, y) => (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0,
  (x, y) => ((x * y) % 2) + ((x * y) % 3) === 0,
  (x, y) => (((x * y) % 2) + ((x * y) % 3)) % 2 === 0,
  (x, y) => (((x + y) % 2) + ((x * y) % 3)) % 2 === 0,
];

function applyMask(grid: Grid, mask: number): void {
  const test = MASKS[mask] ?? MASKS[0]!;
  grid.modules.forEach((row, y) => row.forEach((dark, x) => grid.isFunction[y]?.[x] !== true && test(x, y) && (row[x] = !dark)));
}

/** Penalty rules 1 (runs), 2 (2×2 blocks) and 4 (balance); rule 3 is left out, any mask decodes. */
function penalty(m: Matrix): number {
  const size = m.length;
  let score = 0;
  const runs = (get: (a: number, b: number) => boolean) => {
    for (let a = 0; a < size; a++) {
      let run = 1;
      for (let b = 1; b <= size; b++) {
        if (b < size && get(a, b) === get(a, b - 1)) run++;
        else {
          if (run >= 5) score += run - 2;
          run = 1;
        }
      }
    }
  };
  runs((y, x) => m[y]?.[x] === true);
  runs((x, y) => m[y]?.[x] === true);
  let dark = 0;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const c = m[y]?.[x] === true;
      if (c) dark++;
      if (x + 1 < size && y + 1 < size && c === (m[y]?.[x + 1] === true) && c === (m[y + 1]?.[x] === true) && c === (m[y + 1]?.[x + 1] === true)) score += 3;
    }
  }
  return score + Math.floor(Math.abs(dark * 20 - size * size * 10) / (size * size)) * 10;
}

export function encodeQr(text: string): Matrix {
  const bytes = new TextEncoder().encode(text);
  const version = BLOCKS_M.findIndex(([, g1, len, g2]) => g1 * len + g2 * (len + 1) - (1 + 2) >= bytes.length + (bytes.length > 255 ? 1 : 0)) + 1;
  if (version === 0) throw new Error(`too long for a QR code here (${bytes.length} bytes, at most 213)`);
  const [, g1, len, g2] = BLOCKS_M[version - 1] ?? [0, 0, 0, 0];
  const codewords = interleave(dataCodewords(bytes, version, g1 * len + g2 * (len + 1)), version);
  let best: { score: number; grid: Grid } | undefined;
  for (let mask = 0; mask < 8; mask++) {
    const grid = new Grid(version);
    drawFunctionPatterns(grid);
    placeData(grid, codewords);
    applyMask(grid, mask);
    drawFormatBits(grid, mask);
    const score = penalty(grid.modules);
    if (best === undefined || score < best.score) best = { score, grid };
  }
  return best?.grid.modules ?? [];
}
