/**
 * Randomness. Layout and colours use SFC32 (Chris Doty-Humphrey's Small Fast
 * Counting generator, 128-bit state, passes PractRand to 2^50+), seeded through
 * SplitMix32, so a design + seed reproduces an image byte for byte in any process.
 * Captcha answers that will be verified come from node:crypto instead, unless the
 * caller fixed a seed.
 */
import { randomFillSync } from 'node:crypto';
import { MAX_SEED } from './seed.ts';

export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max] inclusive, without modulo bias. */
  int(min: number, max: number): number;
}

export { MAX_SEED };

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** FNV-1a over a label, so sub-streams ("text", "noise", "bg:2") are independent. */
function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * A uniform integer in [min, max] from a source of 32-bit words, without modulo
 * bias: rejection sampling drops the top slice of the 32-bit range that would bias.
 */
function uniformInt(source: { u32(): number }, min: number, max: number): number {
  const span = max - min + 1;
  if (span <= 1) return min;
  const limit = 4294967296 - (4294967296 % span);
  let v = source.u32();
  while (v >= limit) v = source.u32();
  return min + (v % span);
}

class Sfc32 implements Rng {
  private a: number;
  private b: number;
  private c: number;
  private d = 1;
  constructor(seed: number) {
    const sm = splitmix32(seed);
    this.a = sm();
    this.b = sm();
    this.c = sm();
    for (let i = 0; i < 12; i++) this.u32(); // warm up as the reference does
  }
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }
  next(): number {
    return this.u32() / 4294967296;
  }
  int(min: number, max: number): number {
    return uniformInt(this, min, max);
  }
}

/** A reproducible stream for one purpose of one seed. */
export function seededRng(seed: number, label: string): Rng {
  return new Sfc32((seed ^ hashLabel(label)) >>> 0);
}

/**
 * CSPRNG words, fetched from the OS generator 1 KiB at a time: a captcha needs
 * half a dozen draws and crypto.randomInt costs microseconds per call.
 */
const pool = new Uint32Array(256);
let poolAt = pool.length;
function cryptoU32(): number {
  if (poolAt === pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  return pool[poolAt++];
}

const CRYPTO_WORDS = { u32: cryptoU32 };

/** Cryptographically secure stream, for answers and for unseeded renders. */
export const cryptoRng: Rng = {
  next: () => cryptoU32() / 4294967296,
  int: (min, max) => uniformInt(CRYPTO_WORDS, min, max),
};

/** A fresh random seed for a render that was not given one. */
export function randomSeed(): number {
  return cryptoU32();
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(0, items.length - 1)];
}

export function range(rng: Rng, min: number, max: number): number {
  return min + (max - min) * rng.next();
}
