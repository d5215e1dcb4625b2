import { type Static, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

const ID_PATTERN = '^[A-Za-z0-9._:-]+$';
export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

const Id = Type.String({ minLength: 1, maxLength: 255, pattern: ID_PATTERN });
const nullable = <T extends ReturnType<typeof Type.String>>(schema: T) =>
  Type.Optional(Type.Union([schema, Type.Null()]));

/** One event as sent on the wire (docs/api.md). `null` in an optional field means "not given". */
export const EventSchema = Type.Object(
  {
    event_id: nullable(Type.String({ pattern: UUID_PATTERN })),
    event_type: Type.String({ minLength: 1, maxLength: 100 }),
    visitor_id: Id,
    session_id: nullable(Id),
    timestamp: nullable(Type.String({ maxLength: 64 })),
    properties: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()])),
  },
  { additionalProperties: false },
);

export type WireEvent = Static<typeof EventSchema>;

/** Compiled once at import; checks without coercing anything. */
export const eventChecker = TypeCompiler.Compile(EventSchema);

/** The message for a failing field, phrased for the sender. */
export const FIELD_MESSAGES: Record<string, string> = {
  event_id: 'event_id must be a UUID',
  event_type: 'event_type must be a string of 1–100 characters',
  visitor_id: 'visitor_id must be 1–255 characters of A-Z a-z 0-9 . _ : -',
  session_id: 'session_id must be 1–255 characters of A-Z a-z 0-9 . _ : -',
  timestamp: 'timestamp must be ISO 8601 with a time zone',
  properties: 'properties must be a JSON object',
};
