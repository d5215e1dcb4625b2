import type { JSX } from 'preact';
import { useLocation } from '../router.js';
import { customDays, filterLabel, parseView, RANGE_LABELS, RANGES, type Range, updateView } from '../view.js';

/** The date range, the Test data switch and the filter chips: the same on every report page. */
export function Controls(props: { range?: boolean }): JSX.Element {
  const location = useLocation();
  const view = parseView(location.search);
  const set = (patch: Parameters<typeof updateView>[2]) => updateView(location.path, view, patch);
  const [from, to] = customDays(view);
  return (
    <div class="controls">
      <div class="controls-row">
        {props.range !== false && (
          <div class="field">
            <label htmlFor="range">Date range</label>
            <select
              id="range"
              value={view.range}
              onChange={(e) => {
                const range = e.currentTarget.value as Range;
                set(range === 'custom' ? { range, from, to } : { range, from: null, to: null });
              }}
            >
              {RANGES.map((r) => (
                <option value={r} key={r}>
                  {RANGE_LABELS[r]}
                </option>
              ))}
            </select>
          </div>
        )}
        {props.range !== false && view.range === 'custom' && (
          <>
            <div class="field">
              <label htmlFor="range-from">From</label>
              <input
                id="range-from"
                type="date"
                value={from}
                max={to}
                onChange={(e) => e.currentTarget.value && set({ from: e.currentTarget.value, to })}
              />
            </div>
            <div class="field">
              <label htmlFor="range-to">To</label>
              <input
                id="range-to"
                type="date"
                value={to}
                min={from}
                onChange={(e) => e.currentTarget.value && set({ from, to: e.currentTarget.value })}
              />
            </div>
          </>
        )}
        <div class="check">
          <input
            id="test-data"
            type="checkbox"
            checked={view.env === 'test'}
            onChange={(e) => set({ env: e.currentTarget.checked ? 'test' : 'live' })}
          />
          <label htmlFor="test-data">Test data</label>
        </div>
      </div>
      {view.filters.length > 0 && (
        <ul aria-label="Filters" class="chips">
          {view.filters.map((f, i) => {
            const label = filterLabel(f);
            return (
              <li key={`${i}:${label}`} class="chip">
                <span>{label}</span>
                <button
                  type="button"
                  aria-label={`Remove filter ${label}`}
                  title="Remove filter"
                  class="chip-remove"
                  onClick={() => set({ filters: view.filters.filter((_, j) => j !== i) })}
                />
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
