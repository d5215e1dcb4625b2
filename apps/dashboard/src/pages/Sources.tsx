import type { JSX } from 'preact';
import type { Me } from '../api.js';
import { Controls } from '../components/Controls.js';
import { EmptyState, hasNoData } from '../components/EmptyState.js';
import { ReportTable } from '../components/ReportTable.js';
import { Tabs } from '../components/Tabs.js';
import { useConversionType } from '../hooks.js';
import { useLocation } from '../router.js';
import { parseView, updateView } from '../view.js';
import { ConversionSelect } from './Overview.js';

/** The tabs of Sources: the URL's `tab`, the dimension it groups by, and the first-touch one. */
const TABS: Array<{ id: string; label: string; dimension: string; first?: string; column: string }> = [
  { id: 'channels', label: 'Channels', dimension: 'channel', first: 'first_channel', column: 'Channel' },
  { id: 'sources', label: 'Sources', dimension: 'source', first: 'first_source', column: 'Source' },
  { id: 'campaigns', label: 'Campaigns', dimension: 'utm_campaign', column: 'Campaign' },
  { id: 'mediums', label: 'Mediums', dimension: 'utm_medium', column: 'Medium' },
  { id: 'content', label: 'Content', dimension: 'utm_content', column: 'Content' },
  { id: 'terms', label: 'Terms', dimension: 'utm_term', column: 'Term' },
  { id: 'referrers', label: 'Referrers', dimension: 'referrer_domain', column: 'Referrer' },
  { id: 'landing_pages', label: 'Landing pages', dimension: 'landing_page', column: 'Landing page' },
];

export function SourcesPage(props: { me: Me }): JSX.Element {
  const location = useLocation();
  const view = parseView(location.search);
  const conv = useConversionType(view.env, view.conv);
  const tab = TABS.find((t) => t.id === view.tab) ?? TABS[0];
  if (!tab) throw new Error('no tabs');
  const firstTouch = view.touch === 'first' && tab.first !== undefined;
  const dimension = firstTouch && tab.first ? tab.first : tab.dimension;
  return (
    <>
      <div class="page-head">
        <h1>Sources</h1>
        <ConversionSelect view={view} path={location.path} options={conv.options} selected={conv.type} />
      </div>
      <Controls />
      {hasNoData(props.me, view.env) ? (
        <EmptyState me={props.me} />
      ) : (
        <Tabs
          label="Group sessions by"
          tabs={TABS}
          selected={tab.id}
          onSelect={(id) => updateView(location.path, view, { tab: id === 'channels' ? null : id })}
          idPrefix="sources"
        >
          <div class="touch">
            <div class="check">
              <input
                id="first-touch"
                type="checkbox"
                checked={view.touch === 'first'}
                onChange={(e) =>
                  updateView(location.path, view, { touch: e.currentTarget.checked ? 'first' : null })
                }
              />
              <label htmlFor="first-touch">First touch</label>
            </div>
            <span class="muted small">
              {view.touch === 'first'
                ? tab.first
                  ? `Grouped by the ${tab.column.toLowerCase()} of each visitor's first session.`
                  : `First touch groups Channels and Sources; ${tab.label} shows each session's own value.`
                : "Grouped by each session's own first touch."}
            </span>
          </div>
          <ReportTable
            title={firstTouch ? `First ${tab.column.toLowerCase()}` : tab.label}
            titleId="sources-table"
            dimension={dimension}
            dimensionLabel={firstTouch ? `First ${tab.column.toLowerCase()}` : tab.column}
            view={view}
            path={location.path}
            convType={conv.type}
            convReady={conv.ready}
            limit={100}
            csvName={firstTouch ? dimension : tab.id}
          />
        </Tabs>
      )}
    </>
  );
}
