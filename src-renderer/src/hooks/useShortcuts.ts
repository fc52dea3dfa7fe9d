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

/** Inputs where typing "r" is text, not a command. */
const TEXT_INPUTS = new Set(['text', 'search', 'email', 'url', 'tel', 'password', 'number', '']);

/** True when a key pressed on `el` types into it (so a one-letter shortcut must leave it alone). */
export function isTextEntry(el: Element | null): boolean {
  if (!el) return false;
  if (el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement) return true;
  if (el instanceof HTMLInputElement) return TEXT_INPUTS.has(el.getAttribute('type')?.toLowerCase() ?? '');
  return (el as HTMLElement).isContentEditable === true;
}

/**
 * R rerolls the preview, as the Reroll button's tooltip says: on the desktop and in the
 * browser (no menu has it), unless focus is in a text field or a modifier is held.
 */
export function useRerollKey(enabled: boolean, reroll: () => void): void {
  const onReroll = useEffectEvent(reroll);
  useEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key.toLowerCase() !== 'r' || e.ctrlKey || e.metaKey || e.altKey || e.repeat || e.defaultPrevented) return;
      if (isTextEntry(e.target instanceof Element ? e.target : document.activeElement)) return;
      // Inside a dialog the page behind it is not the subject.
      if (e.target instanceof Element && e.target.closest('[role=dialog], [role=alertdialog]')) return;
      e.preventDefault();
      onReroll();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [enabled]);
}
