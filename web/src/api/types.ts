// The API's JSON shapes, derived from the OpenAPI document the backend generates
// (docs/openapi.json → schema.d.ts by `npm run gen:api`, run by `npm run build`), so that
// an API change breaks the frontend's type-check instead of the running app.
// Field names are the API's (snake_case); money is integer cents, dates RFC 3339 UTC.
import type { components } from './schema';

type S = components['schemas'];

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export type Role = S['Role'];
export type Me = S['MeView'];
export type LoginResponse = S['SessionGrant'];

export type UserStatus = S['UserStatus'];
export type User = S['UserView'];

export type Account = S['AccountView'];
/** One row of the manager's accounts overview (`GET /api/accounts`). */
export type AccountOverview = S['AccountOverview'];

export type AddressInput = S['AddressInput'];
export type Address = S['Address'];

export type VehicleStatus = S['VehicleStatus'];
export type Vehicle = S['VehicleView'] & {
  /** Only on creation: unusual plate or VIN, accepted as is. */
  warnings?: S['SavedVehicle']['warnings'];
};
export type VehicleInput = S['VehicleInput'];

export type LineProblem = S['LineMessage'];
export type ImportReport = S['ImportReport'];

export type SyncStatus = S['SyncStatus'];
export type RecordProblem = S['RecordError'];
export type SyncReport = S['SyncReport'];

/** The document types `settings` as an empty object; it holds the (secret-free) settings. */
export type StockConnection = Omit<S['ConnectionView'], 'settings'> & {
  /** Secrets come back as `{configured: true}`, never their value. */
  settings: Record<string, unknown>;
};

export type OrderStatus = S['OrderStatus'];
export type OrderVehicle = S['OrderVehicleView'];
export type OrderPlace = S['OrderPlace'];
export type Estimate = S['OrderEstimate'];
export type TimelineEntry = S['TimelineEntry'];
export type AttentionCode = S['AttentionReason'];
/** An order; managers also get `needs_attention`. */
export type Order = S['ManagedOrderView'];
/** A row of the order lists (`GET /api/orders`); the whole order is `GET /api/orders/{id}`. */
export type OrderSummary = S['OrderSummaryView'];
export type QuoteRequest = S['QuoteInput'];
export type InvoiceUploadUrl = S['UploadTicket'];
