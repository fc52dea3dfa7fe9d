import { useEffect, useEffectEvent } from 'react';
import type { NamedCommand } from './useMenuCommands.ts';

type Keys = Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'>;

/** The command a Ctrl/⌘ key sends, if any. Ctrl+N stays the browser's own (new window). */
export function shortcutCommand(e: Keys): NamedCommand | undefined {
  if (!(e.ctrlKey || e.metaKey) || e.altKey) return undefined;
  switch (e.key.toLowerCase()) {
    case 'z':
      return e.shiftKey ? 'redo' : 'undo';
    case 'y':
      return 'redo';
    case 's':
      return e.shiftKey ? 'save-as' : 'save';
    case 'o':
      return 'open';
    case 'e':
      return e.shiftKey ? 'export-batch' : 'export-png';
    case '=':
    case '+':
      return 'zoom-in';
    case '-':
      return 'zoom-out';
    case '0':
      return 'zoom-actual';
    default:
      return undefined;
  }
}

/**
 * Keyboard shortcuts handled by the page, when `enabled` (the browser). On the desktop
 * the native menu's accelerators send the same commands through useMenuCommands.
 */
export function useShortcuts(enabled: boolean, run: (command: NamedCommand) => void): void {
  const onCommand = useEffectEvent(run);
  useEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent) => {
      const c = shortcutCommand(e);
      if (!c) return;
      e.preventDefault();
      onCommand(c);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [enabled]);
}
