import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { serializeRow } from './ingest-events.js';
import { INGEST_ROW_FIELDS } from './ingest-sql.js';
import type { ValidEvent } from './validate-events.js';

describe('serializeRow', () => {
  it('is the JSON array of the row fields whatever the strings hold, and no account (fast-check)', () => {
    const text = fc.string({ unit: 'binary', maxLength: 30 });
    fc.assert(
      fc.property(
        fc.record({
          eventType: text,
          visitorId: text,
          sessionId: fc.option(text),
          occurredAt: text,
          source: text,
        }),
        fc.dictionary(text, text, { maxKeys: 3 }),
        fc.option(text),
        fc.option(text),
        (f, utm, referrerDomain, landingPath) => {
          const event = {
            index: 3,
            eventId: f.visitorId,
            eventType: f.eventType,
            visitorId: f.visitorId,
            sessionId: f.sessionId,
            occurredAt: f.occurredAt,
            properties: {},
            propertiesJson: '{"a":1}',
            touch: {
              utm,
              clickIds: {},
              url: null,
              urlField: 'url',
              referrer: null,
              channel: 'Direct',
              source: f.source,
              referrerDomain,
              landingPath,
            },
          } as ValidEvent;
          const values = JSON.parse(serializeRow(event)) as unknown[];
          expect(values).toHaveLength(INGEST_ROW_FIELDS.length);
          const row = Object.fromEntries(INGEST_ROW_FIELDS.map((field, i) => [field, values[i]]));
          expect(row).toEqual({
            event_id: f.visitorId,
            event_type: f.eventType,
            visitor_id: f.visitorId,
            session_id: f.sessionId,
            occurred_at: f.occurredAt,
            properties: { a: 1 },
            initial_utm: JSON.parse(JSON.stringify(utm)),
            click_ids: {},
            landing_field: 'url',
            has_referrer: false,
            channel: 'Direct',
            source: f.source,
            referrer_domain: referrerDomain,
            landing_path: landingPath,
          });
        },
      ),
      { numRuns: 500 },
    );
  });
});
