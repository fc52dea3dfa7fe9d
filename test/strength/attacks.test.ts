/**
 * Each attack on designs whose answer is known to be easy (a flat design, seed 002's
 * replica) and hard (classic-captcha): it must read the easy ones and not the hard one.
 * Fixed seeds, so the rates do not vary between runs.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Design } from '../../src-main/core/design.ts';
import { fontRegistry } from '../../src-main/core/fonts.ts';
import { runAttack, type AttackRun } from '../../src-main/strength/attack.ts';
import { engDataDir, ocrReader, OCR_SUMMARY, type OcrReader } from '../../src-main/strength/ocr.ts';
import type { AttackResult } from '../../src-main/strength/report.ts';
import { solveQuestion } from '../../src-main/strength/scoring.ts';
import { segmentationReader, SEGMENTATION_SUMMARY } from '../../src-main/strength/segmentation.ts';
import { FLAT, FLAT_MATH, preset, SEEDS } from './designs.ts';

const fonts = fontRegistry();
const source = { fonts };

function segmentation(design: Design, seeds: readonly number[] = SEEDS): Promise<AttackResult> {
  const run: AttackRun = { attack: 'segmentation', summary: SEGMENTATION_SUMMARY, read: segmentationReader(design, design.scale, fonts) };
  return runAttack(design, run, seeds, { ignoreCase: true, source });
}

const readers: OcrReader[] = [];
afterAll(() => Promise.all(readers.map((r) => r.close())));

async function ocr(design: Design, seeds: readonly number[]): Promise<AttackResult> {
  const reader = await ocrReader(design, { ignoreCase: true });
  readers.push(reader);
  try {
    return await runAttack(design, { attack: 'ocr', summary: OCR_SUMMARY, read: reader.read }, seeds, { ignoreCase: true, source });
  } finally {
    await reader.close();
  }
}

/** What was read right is really the answer at that seed. */
function solvedAreRight(r: AttackResult): void {
  for (const s of r.solved) expect(s.read.toLowerCase()).toBe(s.answer.toLowerCase());
}

describe('the segmentation attack', () => {
  it.each([
    ['a flat design', FLAT],
    ['seed-002-captcha', preset('seed-002-captcha')],
  ])('reads %s: over half of the answers', async (_, design) => {
    const r = await segmentation(design);
    expect(r.samples).toBe(SEEDS.length);
    expect(r.full.rate).toBeGreaterThan(0.5);
    expect(r.perChar.rate).toBeGreaterThan(0.8);
    expect(r.solved.length).toBeGreaterThan(0);
    solvedAreRight(r);
  });

  it('reads classic-captcha under 10% of the time', async () => {
    const r = await segmentation(preset('classic-captcha'));
    expect(r.full.rate).toBeLessThan(0.1);
    // The interval holds the rate, and is the Wilson interval for its hits.
    expect(r.full.low).toBeLessThanOrEqual(r.full.rate);
    expect(r.full.high).toBeGreaterThan(r.full.rate);
  });

  it('reads math questions and answers with their result', async () => {
    const r = await segmentation(FLAT_MATH);
    expect(r.full.rate).toBeGreaterThan(0.5);
    for (const s of r.solved) {
      expect(s.read).toMatch(/^\d+[+\-×]\d+/);
      expect(solveQuestion(s.read)).toBe(s.answer);
    }
  });
});

describe('the OCR attack (tesseract.js, bundled English data)', () => {
  it('reads its model from node_modules: the CDN tesseract.js falls back on is never needed', () => {
    const file = join(engDataDir(), 'eng.traineddata.gz');
    expect(existsSync(file), file).toBe(true);
    expect(statSync(file).size).toBeGreaterThan(1_000_000);
  });

  it('reads a flat design: over half of the answers', async () => {
    const r = await ocr(FLAT, SEEDS.slice(0, 16));
    expect(r.full.rate).toBeGreaterThan(0.5);
    solvedAreRight(r);
  });

  it('reads seed-002-captcha over half of the time and classic-captcha under 10%', async () => {
    const easy = await ocr(preset('seed-002-captcha'), SEEDS.slice(0, 16));
    expect(easy.full.rate).toBeGreaterThan(0.5);
    const hard = await ocr(preset('classic-captcha'), SEEDS.slice(0, 12));
    expect(hard.full.rate).toBeLessThan(0.1);
  });
});
