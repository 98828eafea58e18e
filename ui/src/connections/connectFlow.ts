// The state of "Connect": the app opens the browser, and the answer arrives later as an event,
// not as the command's result. Kept pure so every order of events can be tested without a DOM.

import type { AuthorizationStart } from "../bindings/AuthorizationStart";
import type { CallbackChannel } from "../bindings/CallbackChannel";
import type { ConnectionInfo } from "../bindings/ConnectionInfo";

type PendingBase = {
  provider: string;
  channel: CallbackChannel;
  /** The connection being signed in again, or null for a new one. */
  reconnectOf: string | null;
};

/** `start_connect` has not answered yet. */
type Starting = PendingBase & { phase: "starting" };

/** The browser has the sign-in page; waiting for `connection-added` or `connect-failed`. */
type Waiting = PendingBase & { phase: "waiting"; start: AuthorizationStart };

export type PendingConnect = Starting | Waiting;

export type ConnectFlow = {
  pending: PendingConnect | null;
  /** The last failure, for role="alert". */
  error: string | null;
  /** The last success, for role="status". */
  notice: string | null;
};

export type ConnectAction =
  | { type: "start"; provider: string; channel: CallbackChannel; reconnectOf?: string | null }
  | { type: "started"; provider: string; start: AuthorizationStart }
  | { type: "start_failed"; provider: string; message: string }
  | { type: "added"; connection: ConnectionInfo }
  | { type: "failed"; message: string }
  | { type: "expired"; provider: string }
  | { type: "cancel" }
  | { type: "dismiss" };

export const initialConnectFlow: ConnectFlow = { pending: null, error: null, notice: null };

export function connectReducer(state: ConnectFlow, action: ConnectAction): ConnectFlow {
  switch (action.type) {
    case "start":
      return {
        pending: {
          phase: "starting",
          provider: action.provider,
          channel: action.channel,
          reconnectOf: action.reconnectOf ?? null,
        },
        error: null,
        notice: null,
      };
    case "started": {
      const { pending } = state;
      // The sign-in may already have ended (a browser that remembers consent can answer before
      // the command does), or the user cancelled: then the late answer changes nothing.
      if (pending?.phase !== "starting" || pending.provider !== action.provider) {
        return state;
      }
      return { ...state, pending: { ...pending, phase: "waiting", start: action.start } };
    }
    case "start_failed":
      if (state.pending?.provider !== action.provider) {
        return { ...state, error: action.message };
      }
      return { pending: null, error: action.message, notice: null };
    case "added": {
      const { connection } = action;
      const done = state.pending?.provider === connection.provider;
      return {
        pending: done ? null : state.pending,
        error: null,
        notice: `Connected ${connection.provider_display_name} as “${connection.display_name}”.`,
      };
    }
    case "failed":
      return { pending: null, error: action.message, notice: null };
    case "expired":
      if (state.pending?.phase !== "waiting" || state.pending.provider !== action.provider) {
        return state;
      }
      return {
        pending: null,
        error: "The sign-in link expired before it was used. Connect again when you're ready.",
        notice: null,
      };
    case "cancel":
      return { ...state, pending: null };
    case "dismiss":
      return { ...state, error: null, notice: null };
  }
}

/** Milliseconds until a waiting sign-in's link stops working (never negative). */
export function msUntilExpiry(start: AuthorizationStart, nowMs: number): number {
  return Math.max(0, start.expires_at * 1000 - nowMs);
}
