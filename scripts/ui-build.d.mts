export declare const ROOT: string;
/** Why the build in out/ is not the current UI, or undefined when it is up to date. */
export declare function staleBecause(): string | undefined;
/** Runs `electron-vite build`; `quiet` keeps its output for the error. A failed build throws. */
export declare function buildUi(opts?: { quiet?: boolean }): void;
