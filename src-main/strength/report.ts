/**
 * What a strength check reports. Declared once with the StudioApi contract (src-main/api.ts),
 * which the UI reads; re-exported here for the attacks, the CLI and bench:strength.
 */
export type { AttackName, AttackResult, GuessOdds, PresetRating, Rate, SolvedSample, StrengthProgress, StrengthReport } from '../api.ts';
