export declare const ROOT: string;
export declare const LIB_DIR: string;
/** Why dist/lib is not the current library, or undefined when it is up to date. */
export declare function staleBecause(): string | undefined;
/** Builds dist/lib with tsc; `quiet` keeps its output for the error. A failed build throws. */
export declare function buildLib(opts?: { quiet?: boolean }): void;
