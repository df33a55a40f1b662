import { Event, Place, PUBLIC_COLLECTION, Source } from "@fedify/vocab";
import {
  MEETING_MEDIA_TYPE,
  type MeetingPayload,
  meetingHtml,
  meetingPayloadSchema,
  meetingSummaryLine,
} from "@spiral-network/protocol";
import { Temporal } from "temporal-polyfill";
import { readSourcePayload, type SourceParse } from "./source-payload";

/** Pure mapping between a meeting payload and its ActivityStreams `Event` (docs/protocol.md §11). */

export interface EventUris {
  id: URL;
  actor: URL;
  followers: URL;
  /** The HTML page (same URL as the id, negotiated). */
  url: URL;
  /** Sub-networks (Group actors) it is addressed to (FEP-1b12), if any. */
  audiences?: URL[];
}

/** The Event a meeting goes out as: readable for Mastodon and Mobilizon, exact in `source`. */
export function meetingToEvent(
  payload: MeetingPayload,
  uris: EventUris,
  published: Temporal.Instant,
): Event {
  const place = payload.place;
  const address = place
    ? [place.street, [place.postalCode, place.locality].filter(Boolean).join(" "), place.country]
        .filter(Boolean)
        .join(", ")
    : undefined;
  const followersOnly = payload.visibility === "followers";
  return new Event({
    id: uris.id,
    attribution: uris.actor,
    name: payload.title,
    summary: meetingSummaryLine(payload),
    content: meetingHtml(payload),
    url: uris.url,
    startTime: Temporal.Instant.from(payload.startUtc),
    endTime: Temporal.Instant.from(payload.endUtc),
    published,
    updated: Temporal.Instant.from(payload.updated),
    ...(place
      ? {
          location: new Place({
            name: place.name,
            ...(address ? { summary: address } : {}),
            ...(place.latitude !== undefined ? { latitude: place.latitude } : {}),
            ...(place.longitude !== undefined ? { longitude: place.longitude } : {}),
          }),
        }
      : {}),
    ...(followersOnly ? { to: uris.followers } : { to: PUBLIC_COLLECTION, cc: uris.followers }),
    ...(uris.audiences?.length ? { audiences: uris.audiences } : {}),
    source: new Source({ content: JSON.stringify(payload), mediaType: MEETING_MEDIA_TYPE }),
  });
}

export type EventParse = SourceParse<MeetingPayload>;

/** Reads the meeting back from an Event with the shared schema. */
export function eventToMeeting(event: Event): EventParse {
  return readSourcePayload(event.source, MEETING_MEDIA_TYPE, meetingPayloadSchema);
}
