// What each relay error means to the person in the call (docs/signaling.md "Errors",
// "Authentication", "Limits"). Pure: no DOM, no state; tests read it through window.relay.

const LIMITS = {
  connections_per_address: 'Too many connections from your network to this relay. Close other tabs of this call and try again.',
  rooms: 'The relay has as many rooms open as it allows. Try again later.',
  participants_per_room: 'This room is full.',
  tracks_per_participant: 'You are sharing more tracks than the relay allows.',
  sdp_size: 'Your browser sent a media description larger than the relay takes.',
  sdp_media_sections: 'Your browser sent more media sections than the relay takes.',
  candidates: 'Your browser sent more network candidates than the relay takes.',
  subscribe_slots: 'The call has more video and audio than this connection can receive; rejoin to start afresh.',
  join_timeout: 'Joining took too long, so the relay closed the connection.',
  message_rate: 'This page sent messages faster than the relay allows.',
  slow_reader: 'This page read the relay\'s messages too slowly.',
};

const UNAUTHORIZED = {
  missing: 'This relay needs an access token: open the link you were given, which carries ?token=.',
  oversized: 'The access token in the link is too long.',
  malformed: 'The access token in the link is damaged or incomplete.',
  bad_algorithm: 'The access token is signed in a way the relay does not accept.',
  unknown_key: 'The access token was issued with a key this relay does not know.',
  bad_signature: 'The access token is not valid for this relay (its signature does not match).',
  expired: 'Your access token has expired. Ask for a new link.',
  not_yet_valid: 'Your access token is not valid yet. Check your clock, or wait and try again.',
  no_join_grant: 'Your access token does not allow joining a room.',
  wrong_room: 'Your access token is for another room.',
};

const CODES = {
  bad_json: 'The relay could not read a message from this page.',
  bad_request: 'The relay refused a malformed request from this page.',
  unknown_type: 'This page sent a request the relay does not know: the page and the relay may be different versions.',
  unauthorized: 'You are not allowed into this call.',
  forbidden: 'Your access token does not allow this (for example, you may watch but not send video).',
  not_joined: 'The relay no longer has you in the room.',
  already_joined: 'This connection has already joined a room.',
  bad_sdp: 'The relay could not use the media description your browser sent.',
  bad_state: 'The media negotiation got out of step with the relay.',
  limit_exceeded: 'The relay refused a request over one of its limits.',
  rate_limited: 'This page sent messages faster than the relay allows.',
  draining: 'This relay is shutting down; join again in a moment.',
  redirect: 'Your call is hosted by another relay; connecting there.',
  unavailable: 'No relay can take this call right now; try again in a moment.',
  internal: 'The relay had an internal error.',
  ice_failed: 'The relay lost contact with your media connection and removed you from the call.',
  room_moved: 'Your call moved to another relay; reconnecting.',
};

/** Every error code the relay documents, for tests. */
export const ERROR_CODES = Object.keys(CODES);

/**
 * A sentence for an `error` message ({code, reason, message}). The relay's own message, which
 * names details such as limits and times, follows in brackets.
 */
export function describeError(err) {
  const code = err && typeof err.code === 'string' ? err.code : 'unknown';
  const reason = err && typeof err.reason === 'string' ? err.reason : null;
  let text;
  if (code === 'unauthorized' && reason && UNAUTHORIZED[reason]) text = UNAUTHORIZED[reason];
  else if (code === 'limit_exceeded' && reason && LIMITS[reason]) text = LIMITS[reason];
  else text = CODES[code] || `The relay reported an error (${code}).`;
  const detail = err && typeof err.message === 'string' && err.message ? err.message.slice(0, 300) : null;
  return detail ? `${text} (${detail})` : text;
}

/** Whether rejoining after this error could help (the socket it closed was not refused for good). */
export function mayRejoinAfter(err) {
  if (!err) return true;
  return err.code !== 'unauthorized' && err.code !== 'forbidden';
}
