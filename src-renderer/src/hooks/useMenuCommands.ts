import { useEffect, useEffectEvent } from 'react';
import type { MenuCommand, StudioApi } from '../../../src-main/api.ts';

export type NamedCommand = Exclude<MenuCommand, { open: string }>;

/** One handler per command: a new MenuCommand in api.ts fails the type-check here until the UI handles it. */
export type CommandHandlers = Record<NamedCommand, () => void> & {
  /** A recent file picked from the native menu. */
  openRecent(path: string): void;
};

export function runCommand(handlers: CommandHandlers, command: MenuCommand): void {
  if (typeof command === 'object') handlers.openRecent(command.open);
  else handlers[command]();
}

/** Runs the commands of the desktop's native menu (web mode has none). `handlers` may change on every render. */
export function useMenuCommands(api: StudioApi, handlers: CommandHandlers): void {
  const onCommand = useEffectEvent((command: MenuCommand) => runCommand(handlers, command));
  useEffect(() => api.onMenuCommand((c) => onCommand(c)), [api]);
}
