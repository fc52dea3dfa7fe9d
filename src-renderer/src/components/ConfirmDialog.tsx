/** "Save changes?" before the open design is replaced. Escape cancels; focus starts on Save. */
import { useEffect, useRef } from 'react';

export type ConfirmChoice = 'save' | 'discard' | 'cancel';

export function ConfirmDialog({ onChoose, name }: { onChoose(c: ConfirmChoice): void; name: string }) {
  const first = useRef<HTMLButtonElement>(null);
  useEffect(() => first.current?.focus(), []);
  return (
    <div className="modal-backdrop" onKeyDown={(e) => e.key === 'Escape' && onChoose('cancel')}>
      <div role="alertdialog" aria-modal="true" aria-labelledby="confirm-title" aria-describedby="confirm-text" className="modal">
        <h2 id="confirm-title">Save changes to {name}?</h2>
        <p id="confirm-text">Your changes will be lost if you don't save them.</p>
        <div className="modal-actions">
          <button ref={first} type="button" onClick={() => onChoose('save')}>
            Save
          </button>
          <button type="button" onClick={() => onChoose('discard')}>
            Don't save
          </button>
          <button type="button" onClick={() => onChoose('cancel')}>
            Cancel
          </button>
        </div>
      </div>
    </div>
  );
}
