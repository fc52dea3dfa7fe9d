/**
 * Folders that belong to one running process, named "<prefix>-<pid>-<random>" so
 * that the owner can be recognised after a crash. What a clean exit leaves behind
 * is removed on exit; what `kill -9`, a native crash or a power cut leaves behind
 * is removed by the next run that uses the same prefix, once its pid is dead.
 * Several servers may live in one process (tests do this): each folder is
 * registered on its own, and only dead pids' folders are ever swept.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * True while `pid` names a live process. EPERM means it exists but belongs to
 * someone else: alive. A recycled pid makes a stale folder look alive; it is
 * then kept until a later run, never removed while its owner might use it.
 */
export function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  // 0 and negatives would signal process groups, not one process.
  if (!Number.isSafeInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The owner pid carried by `name` when it is "<prefix>-<pid>-<anything>", else null. */
export function ownerPid(name: string, prefix: string): number | null {
  const m = new RegExp(`^${escape(prefix)}-(\\d{1,10})-`).exec(name);
  return m ? Number(m[1]) : null;
}

/**
 * Removes the folders in `parent` named "<prefix>-<pid>-…" whose pid is dead.
 * Returns what was removed. Never throws: a sweep must not stop a start.
 */
export function removeStaleDirs(parent: string, prefix: string): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return removed;
  }
  for (const name of names) {
    const pid = ownerPid(name, prefix);
    if (pid === null || pidAlive(pid)) continue;
    try {
      rmSync(join(parent, name), { recursive: true, force: true });
      removed.push(name);
    } catch {
      // Somebody else's file we cannot remove, or a race with another sweeper: leave it.
    }
  }
  return removed;
}

const removeAtExit = new Set<string>();
let exitHookInstalled = false;

/** Removes `dir` when the process exits (normally, by process.exit, or on an uncaught error). */
export function removeOnExit(dir: string): void {
  removeAtExit.add(dir);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // One listener for all folders, so many servers in one process add no listeners.
  process.on('exit', () => {
    for (const d of removeAtExit) {
      try {
        rmSync(d, { recursive: true, force: true });
      } catch {
        // Nothing more can be done at exit; the next start sweeps it.
      }
    }
  });
}

/**
 * A fresh temporary folder "<tmpdir>/<prefix>-<pid>-XXXXXX", removed on exit;
 * call `removeOwnedDir` to remove it earlier (a server that stops).
 */
export function makeOwnedTempDir(prefix: string, parent = tmpdir()): string {
  const dir = mkdtempSync(join(parent, `${prefix}-${process.pid}-`));
  removeOnExit(dir);
  return dir;
}

/** Removes an owned folder now; false (and it stays registered for exit) when the system refuses. */
export function removeOwnedDir(dir: string): boolean {
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    // Windows refuses while a file in it is open (a download in progress).
    return false;
  }
  removeAtExit.delete(dir);
  return true;
}
