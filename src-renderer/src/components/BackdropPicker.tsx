/** The backdrop switch in the preview toolbar: a labelled select, and a colour picker for a custom colour. */
import { useId, useState } from 'react';
import { BACKDROP_KINDS, loadBackdrop, saveBackdrop, type Backdrop, type BackdropKind } from '../state/backdrop.ts';

/** The remembered backdrop and a setter that remembers the new one. */
export function useBackdrop(): [Backdrop, (b: Backdrop) => void] {
  const [backdrop, setBackdrop] = useState(loadBackdrop);
  return [
    backdrop,
    (b) => {
      setBackdrop(b);
      saveBackdrop(b);
    },
  ];
}

export function BackdropPicker({ value, onChange }: { value: Backdrop; onChange(b: Backdrop): void }) {
  const id = useId();
  return (
    <span className="backdrop-picker">
      <label htmlFor={id}>Backdrop</label>
      <select id={id} value={value.kind} onChange={(e) => onChange({ ...value, kind: e.target.value as BackdropKind })}>
        {BACKDROP_KINDS.map((k) => (
          <option key={k.kind} value={k.kind}>
            {k.label}
          </option>
        ))}
      </select>
      {value.kind === 'custom' && <input type="color" aria-label="Backdrop colour" value={value.color} onChange={(e) => onChange({ ...value, color: e.target.value })} />}
    </span>
  );
}
